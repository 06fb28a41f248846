package vaulttest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SSOAccount is an AWS account the fake's single SSO user is assigned to,
// with the permission sets (role names) the user may use in it.
type SSOAccount struct {
	ID    string   // 12-digit account ID
	Name  string   // account name shown by ListAccounts
	Email string   // root email shown by ListAccounts
	Roles []string // permission set names, returned by ListAccountRoles
}

// SSOOptions configures a fake IAM Identity Center. Zero values pick the
// defaults AWS uses, so SSOOptions{} behaves like a real instance.
type SSOOptions struct {
	// Accounts the signed-in user can reach through the portal.
	Accounts []SSOAccount

	// PollsBeforeApproval is how many CreateToken polls are answered with
	// AuthorizationPendingException before a browser-visited device code is
	// approved: a person needs time to click, and a client that gives up on
	// the first "pending" must fail its test. 0 means 2; negative means none.
	PollsBeforeApproval int

	// Interval is the polling interval in seconds announced by
	// StartDeviceAuthorization; polling faster is answered with
	// SlowDownException, and every SlowDownException adds 5 seconds to
	// the interval the next polls must keep (RFC 8628). 0 means 1, as AWS
	// sends.
	Interval int

	// SlowDownPolls is how many polls, from the first, are answered with
	// SlowDownException however long the client waited, as a loaded
	// service does; each one adds 5 seconds to the interval.
	SlowDownPolls int

	// DroppedPolls is how many device-code CreateToken polls, from the
	// first, get their connection closed without an answer, as a network
	// that goes away for a moment does.
	DroppedPolls int

	// DeviceCodeExpiresIn is the lifetime of a device code in seconds, after
	// which CreateToken answers ExpiredTokenException. 0 means 600.
	DeviceCodeExpiresIn int

	// ClientSecretTTL is how long a client registration lasts (about 90 days
	// at AWS). Negative makes every registration already expired, so that
	// the next StartDeviceAuthorization or CreateToken fails with
	// InvalidClientException. 0 means 90 days.
	ClientSecretTTL time.Duration

	// AccessTokenTTL is the lifetime of SSO access tokens. 0 means 8 hours.
	AccessTokenTTL time.Duration

	// RoleCredentialsTTL is the lifetime of GetRoleCredentials credentials.
	// 0 means 1 hour.
	RoleCredentialsTTL time.Duration

	// PageSize is the largest page ListAccounts and ListAccountRoles return,
	// whatever max_result asks for, so that large organisations need
	// several pages as they do at AWS. 0 means 20.
	PageSize int

	// StartURL, if set, is the only start URL StartDeviceAuthorization
	// accepts; a client sending another one gets InvalidRequestException.
	StartURL string

	// OnRoleCredentials, if set, is called with the access key ID of every
	// credential set GetRoleCredentials issues, so that a fake STS can treat
	// them as role credentials (AWS limits roles assumed with them to 1 hour).
	OnRoleCredentials func(akid string)

	// Now, if set, replaces time.Now, so tests can expire device codes,
	// tokens and registrations and respect polling intervals without sleeping.
	Now func() time.Time
}

// SSO is a fake of AWS SSO OIDC and of the SSO portal API served on one
// 127.0.0.1 HTTP server (their paths do not collide). It speaks the
// restJson1 wire format the AWS SDK for Go v2 sends and parses, and answers
// with the errors AWS would, so that clients are tested against AWS's rules
// rather than against their authors' assumptions.
type SSO struct {
	opts    SSOOptions
	srv     *httptest.Server
	url     string
	offline sync.Once

	mu          sync.Mutex
	counts      map[string]int
	visits      int
	clients     map[string]*ssoClient    // by client ID
	devices     map[string]*ssoDevice    // by device code
	userCodes   map[string]*ssoDevice    // by user code
	lastUser    string                   // most recent user code
	access      map[string]*ssoAccess    // by access token
	refresh     map[string]string        // refresh token -> client ID
	sessions    map[string]SSORoleTarget // role credentials by access key ID
	listReqs    int                      // list requests seen, for FailListPage
	dropped     int                      // polls dropped so far, for DroppedPolls
	failList    map[int]bool             // list request numbers that fail
	throttleFor int                      // list requests still to throttle
}

// SSORoleTarget names the account and role a set of role credentials was
// issued for.
type SSORoleTarget struct {
	AccountID string
	RoleName  string
}

type ssoClient struct {
	secret    string
	scopes    []string
	expiresAt time.Time
}

type ssoDevice struct {
	code, userCode, clientID string
	expires                  time.Time
	interval                 time.Duration
	lastPoll                 time.Time
	pending                  int // polls answered AuthorizationPending
	polls                    int // polls answered at all
	visited, approved        bool
	denied, consumed         bool
}

type ssoAccess struct {
	expires time.Time
	expired bool // forced by ExpireAccessTokens or Logout
}

// ssoOps are the names Count accepts; a typo in a test should fail loudly
// rather than assert on a counter that never moves.
var ssoOps = []string{
	"RegisterClient", "StartDeviceAuthorization", "CreateToken", "Refresh", "SlowDown",
	"GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout",
}

const (
	ssoGrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	ssoGrantRefreshToken = "refresh_token"
	ssoScopeAccount      = "sso:account:access"
	// ssoMaxResults is the upper bound of the portal model's MaxResultType.
	ssoMaxResults = 100
)

// NewSSO starts a fake IAM Identity Center on 127.0.0.1. Point the SDK at it
// with AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO set to URL().
func NewSSO(opts SSOOptions) *SSO {
	if opts.PollsBeforeApproval == 0 {
		opts.PollsBeforeApproval = 2
	} else if opts.PollsBeforeApproval < 0 {
		opts.PollsBeforeApproval = 0
	}
	if opts.Interval <= 0 {
		opts.Interval = 1
	}
	if opts.DeviceCodeExpiresIn <= 0 {
		opts.DeviceCodeExpiresIn = 600
	}
	if opts.ClientSecretTTL == 0 {
		opts.ClientSecretTTL = 90 * 24 * time.Hour
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = 8 * time.Hour
	}
	if opts.RoleCredentialsTTL <= 0 {
		opts.RoleCredentialsTTL = time.Hour
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &SSO{
		opts:      opts,
		counts:    map[string]int{},
		clients:   map[string]*ssoClient{},
		devices:   map[string]*ssoDevice{},
		userCodes: map[string]*ssoDevice{},
		access:    map[string]*ssoAccess{},
		refresh:   map[string]string{},
		sessions:  map[string]SSORoleTarget{},
		failList:  map[int]bool{},
	}
	mux := http.NewServeMux()
	// SSO OIDC (service "SSO OIDC", host oidc.REGION.amazonaws.com).
	mux.HandleFunc("POST /client/register", s.registerClient)
	mux.HandleFunc("POST /device_authorization", s.startDeviceAuthorization)
	mux.HandleFunc("POST /token", s.createToken)
	// SSO portal (service "SSO", host portal.sso.REGION.amazonaws.com).
	mux.HandleFunc("GET /federation/credentials", s.getRoleCredentials)
	mux.HandleFunc("GET /assignment/accounts", s.listAccounts)
	mux.HandleFunc("GET /assignment/roles", s.listAccountRoles)
	mux.HandleFunc("POST /logout", s.logout)
	// The page a person opens to approve a device (device.sso.REGION.amazonaws.com at AWS).
	mux.HandleFunc("GET /device", s.browserPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ssoPortalError(w, http.StatusNotFound, "UnknownOperationException", "no operation at "+r.Method+" "+r.URL.Path)
	})
	s.srv = httptest.NewServer(mux)
	s.url = s.srv.URL
	return s
}

// URL is the base URL of both the OIDC and the portal endpoints. It stays
// the same after Down, so clients configured with it get connection refused.
func (s *SSO) URL() string { return s.url }

// Close stops the server. It is safe to call after Down and more than once.
func (s *SSO) Close() { s.offline.Do(s.srv.Close) }

// Down makes the fake stop answering, as when the network or AWS is
// unreachable: the listener closes and new connections are refused.
func (s *SSO) Down() { s.Close() }

// Count reports how many requests an operation received, failed ones
// included. op is an API operation name, except that CreateToken counts
// device-code polls only, "Refresh" counts CreateToken calls with the
// refresh_token grant, so a test can tell a silent renewal from a new
// login, and "SlowDown" counts the polls answered SlowDownException, which
// a client that keeps the interval never gets unasked. It panics on an
// unknown name so that a typo cannot make an assertion vacuous.
func (s *SSO) Count(op string) int {
	if !slices.Contains(ssoOps, op) {
		panic(fmt.Sprintf("vaulttest: SSO.Count: unknown operation %q (want one of %v)", op, ssoOps))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// BrowserVisits reports how many times the verification page was opened,
// so tests can check that a login never opens two browser windows.
func (s *SSO) BrowserVisits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.visits
}

// LastUserCode is the user code of the most recent StartDeviceAuthorization,
// or "" if there was none.
func (s *SSO) LastUserCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastUser
}

// Approve approves a device authorization at once, as if the person had
// clicked "Allow", without waiting for a browser visit or polls.
func (s *SSO) Approve(userCode string) error {
	return s.decide(userCode, true)
}

// Deny rejects a device authorization: CreateToken then answers
// AccessDeniedException.
func (s *SSO) Deny(userCode string) error {
	return s.decide(userCode, false)
}

func (s *SSO) decide(userCode string, allow bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.userCodes[userCode]
	if !ok {
		return fmt.Errorf("vaulttest: no device authorization with user code %q", userCode)
	}
	d.approved, d.denied = allow, !allow
	return nil
}

// ExpireAccessTokens makes every access token issued so far expired, so the
// portal answers UnauthorizedException as it does once the 8 hours are up.
func (s *SSO) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.access {
		a.expired = true
	}
}

// RevokeRefreshTokens invalidates every refresh token issued so far (an
// administrator ending sessions), so refreshing fails with
// InvalidGrantException and only a new device login helps.
func (s *SSO) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// ExpireClients makes every client registration expired, as happens about
// 90 days after RegisterClient; clients must then register again.
func (s *SSO) ExpireClients() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.opts.Now().Add(-time.Second)
	for _, c := range s.clients {
		c.expiresAt = past
	}
}

// RoleSession reports which account and role the role credentials with
// access key ID akid were issued for.
func (s *SSO) RoleSession(akid string) (SSORoleTarget, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.sessions[akid]
	return t, ok
}

// FailListPage makes the n-th ListAccounts or ListAccountRoles request from
// now on (1 = the next one) fail once with HTTP 500. The SDK's default
// retryer retries 500s, so a client using it recovers transparently.
func (s *SSO) FailListPage(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failList[s.listReqs+n] = true
}

// Throttle answers the next n ListAccounts or ListAccountRoles requests with
// HTTP 429 TooManyRequestsException, as large organisations see. The SDK's
// default retryer makes 3 attempts, so n >= 3 reaches the caller.
func (s *SSO) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleFor += n
}

// --- SSO OIDC -------------------------------------------------------------

// ssoOIDCError writes an OIDC error. The SDK takes the error code from the
// X-Amzn-ErrorType header (then the body's __type, then code); the body
// carries the OAuth 2.0 "error"/"error_description" members AWS sends.
func ssoOIDCError(w http.ResponseWriter, status int, typ, oauth, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": oauth, "error_description": desc})
}

func ssoWriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ssoDecode reads a JSON request body, answering InvalidRequestException
// when it is not JSON, as AWS does.
func ssoDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

// dropPoll reports whether this poll is one of DroppedPolls.
func (s *SSO) dropPoll() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped < s.opts.DroppedPolls {
		s.dropped++
		return true
	}
	return false
}

func (s *SSO) count(op string) {
	s.mu.Lock()
	s.counts[op]++
	s.mu.Unlock()
}

func (s *SSO) registerClient(w http.ResponseWriter, r *http.Request) {
	s.count("RegisterClient")
	var in struct {
		ClientName string   `json:"clientName"`
		ClientType string   `json:"clientType"`
		Scopes     []string `json:"scopes"`
	}
	if !ssoDecode(w, r, &in) {
		return
	}
	if in.ClientName == "" || in.ClientType == "" {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "clientName and clientType are required")
		return
	}
	if in.ClientType != "public" {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidClientMetadataException", "invalid_client_metadata", "clientType must be public")
		return
	}
	for _, sc := range in.Scopes {
		// Scopes are "service:permission"; AWS rejects anything else.
		if i := strings.Index(sc, ":"); i <= 0 || i == len(sc)-1 {
			ssoOIDCError(w, http.StatusBadRequest, "InvalidScopeException", "invalid_scope", "invalid scope "+strconv.Quote(sc))
			return
		}
	}
	now := s.opts.Now()
	id, secret := ssoRandom(22), "eyJ"+ssoRandom(300)
	c := &ssoClient{secret: secret, scopes: in.Scopes, expiresAt: now.Add(s.opts.ClientSecretTTL)}
	s.mu.Lock()
	s.clients[id] = c
	s.mu.Unlock()
	ssoWriteJSON(w, map[string]any{
		"clientId":              id,
		"clientSecret":          secret,
		"clientIdIssuedAt":      now.Unix(),
		"clientSecretExpiresAt": c.expiresAt.Unix(),
	})
}

// checkClient answers InvalidClientException (HTTP 401, as AWS) for an
// unknown client, a wrong secret or an expired registration. It must be
// called with s.mu held.
func (s *SSO) checkClient(w http.ResponseWriter, id, secret string) (*ssoClient, bool) {
	c, ok := s.clients[id]
	switch {
	case !ok || c.secret != secret:
		ssoOIDCError(w, http.StatusUnauthorized, "InvalidClientException", "invalid_client", "invalid client id or secret")
		return nil, false
	case !s.opts.Now().Before(c.expiresAt):
		ssoOIDCError(w, http.StatusUnauthorized, "InvalidClientException", "invalid_client", "client registration has expired")
		return nil, false
	}
	return c, true
}

func (s *SSO) startDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	s.count("StartDeviceAuthorization")
	var in struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		StartURL     string `json:"startUrl"`
	}
	if !ssoDecode(w, r, &in) {
		return
	}
	if in.ClientID == "" || in.ClientSecret == "" || in.StartURL == "" {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "clientId, clientSecret and startUrl are required")
		return
	}
	if u, err := url.Parse(in.StartURL); err != nil || u.Scheme == "" || u.Host == "" {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "invalid startUrl")
		return
	}
	if s.opts.StartURL != "" && in.StartURL != s.opts.StartURL {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "unknown startUrl "+in.StartURL)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.checkClient(w, in.ClientID, in.ClientSecret); !ok {
		return
	}
	d := &ssoDevice{
		code:     ssoRandom(64),
		userCode: ssoUserCode(),
		clientID: in.ClientID,
		expires:  s.opts.Now().Add(time.Duration(s.opts.DeviceCodeExpiresIn) * time.Second),
		interval: time.Duration(s.opts.Interval) * time.Second,
	}
	s.devices[d.code] = d
	s.userCodes[d.userCode] = d
	s.lastUser = d.userCode
	ssoWriteJSON(w, map[string]any{
		"deviceCode":              d.code,
		"userCode":                d.userCode,
		"verificationUri":         s.url + "/device",
		"verificationUriComplete": s.url + "/device?user_code=" + d.userCode,
		"expiresIn":               s.opts.DeviceCodeExpiresIn,
		"interval":                s.opts.Interval,
	})
}

func (s *SSO) createToken(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("aws_iam") {
		// CreateTokenWithIAM is SigV4-signed and for trusted applications;
		// awsx has no business calling it.
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "CreateTokenWithIAM is not supported by the fake")
		return
	}
	var in struct {
		ClientID     string   `json:"clientId"`
		ClientSecret string   `json:"clientSecret"`
		GrantType    string   `json:"grantType"`
		DeviceCode   string   `json:"deviceCode"`
		RefreshToken string   `json:"refreshToken"`
		Scope        []string `json:"scope"`
	}
	if !ssoDecode(w, r, &in) {
		s.count("CreateToken")
		return
	}
	switch in.GrantType {
	case ssoGrantDeviceCode:
		s.count("CreateToken")
		if s.dropPoll() {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
	case ssoGrantRefreshToken:
		s.count("Refresh")
	default:
		s.count("CreateToken")
	}
	if in.ClientID == "" || in.ClientSecret == "" || in.GrantType == "" {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "clientId, clientSecret and grantType are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checkClient(w, in.ClientID, in.ClientSecret)
	if !ok {
		return
	}
	for _, sc := range in.Scope {
		if !slices.Contains(c.scopes, sc) {
			ssoOIDCError(w, http.StatusBadRequest, "InvalidScopeException", "invalid_scope", "scope "+sc+" was not registered")
			return
		}
	}
	switch in.GrantType {
	case ssoGrantDeviceCode:
		s.pollDevice(w, c, in.ClientID, in.DeviceCode)
	case ssoGrantRefreshToken:
		if owner, ok := s.refresh[in.RefreshToken]; !ok || owner != in.ClientID {
			ssoOIDCError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "invalid refresh token")
			return
		}
		// AWS rotates refresh tokens: the one just used is spent.
		delete(s.refresh, in.RefreshToken)
		s.issueToken(w, c, in.ClientID)
	default:
		ssoOIDCError(w, http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported_grant_type", "unsupported grant type "+in.GrantType)
	}
}

// pollDevice answers a device-code CreateToken. It must be called with s.mu
// held.
func (s *SSO) pollDevice(w http.ResponseWriter, c *ssoClient, clientID, code string) {
	d, ok := s.devices[code]
	if !ok || d.clientID != clientID || d.consumed {
		ssoOIDCError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "invalid device code")
		return
	}
	now := s.opts.Now()
	if !now.Before(d.expires) {
		ssoOIDCError(w, http.StatusBadRequest, "ExpiredTokenException", "expired_token", "device code has expired")
		return
	}
	if d.denied {
		ssoOIDCError(w, http.StatusBadRequest, "AccessDeniedException", "access_denied", "the user denied the request")
		return
	}
	// The first poll may come at once (the AWS CLI does that); later ones
	// must wait for the interval. A too-early poll still resets the clock,
	// as RFC 8628 expects clients to back off rather than retry, and a
	// slow_down adds 5 s to the interval for good: a client that does not
	// add them too is slowed down again and again until the code expires.
	early := !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval
	d.lastPoll = now
	d.polls++
	if early || d.polls <= s.opts.SlowDownPolls {
		d.interval += 5 * time.Second
		s.counts["SlowDown"]++
		ssoOIDCError(w, http.StatusBadRequest, "SlowDownException", "slow_down", "client is polling too fast")
		return
	}
	if !d.approved && !(d.visited && d.pending >= s.opts.PollsBeforeApproval) {
		d.pending++
		ssoOIDCError(w, http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending", "authorization is pending")
		return
	}
	d.consumed = true
	s.issueToken(w, c, clientID)
}

// issueToken writes a CreateToken answer. A refresh token is issued only to
// clients registered with sso:account:access: without it (no scopes, or the
// legacy sso-portal:*) AWS gives none, and users must log in every day. It
// must be called with s.mu held.
func (s *SSO) issueToken(w http.ResponseWriter, c *ssoClient, clientID string) {
	tok := "aoa" + ssoRandom(120)
	s.access[tok] = &ssoAccess{expires: s.opts.Now().Add(s.opts.AccessTokenTTL)}
	out := map[string]any{
		"accessToken": tok,
		"tokenType":   "Bearer",
		"expiresIn":   int64(s.opts.AccessTokenTTL / time.Second),
	}
	if slices.Contains(c.scopes, ssoScopeAccount) {
		rt := "aor" + ssoRandom(120)
		s.refresh[rt] = clientID
		out["refreshToken"] = rt
	}
	ssoWriteJSON(w, out)
}

// browserPage is what a person sees after opening verificationUriComplete.
// Opening it counts as consent; approval still waits for the polls.
func (s *SSO) browserPage(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("user_code")
	s.mu.Lock()
	s.visits++
	d, ok := s.userCodes[code]
	if ok {
		d.visited = true
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<html><body><p>Unknown code %s</p></body></html>\n", html.EscapeString(code))
		return
	}
	fmt.Fprintf(w, "<html><body><p>Request approved for code %s. You can close this window.</p></body></html>\n", html.EscapeString(code))
}

// --- SSO portal -----------------------------------------------------------

// ssoPortalError writes a portal error: code in X-Amzn-ErrorType, message
// in the body's "message", which the SDK uses as the error message.
func ssoPortalError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// authorize checks the x-amz-sso_bearer_token header. It must be called
// with s.mu held.
func (s *SSO) authorize(w http.ResponseWriter, r *http.Request) bool {
	a, ok := s.access[r.Header.Get("x-amz-sso_bearer_token")]
	if !ok || a.expired || !s.opts.Now().Before(a.expires) {
		ssoPortalError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return false
	}
	return true
}

func (s *SSO) account(id string) (SSOAccount, bool) {
	for _, a := range s.opts.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return SSOAccount{}, false
}

func (s *SSO) getRoleCredentials(w http.ResponseWriter, r *http.Request) {
	s.count("GetRoleCredentials")
	q := r.URL.Query()
	accountID, role := q.Get("account_id"), q.Get("role_name")
	s.mu.Lock()
	if !s.authorize(w, r) {
		s.mu.Unlock()
		return
	}
	if accountID == "" || role == "" {
		s.mu.Unlock()
		ssoPortalError(w, http.StatusBadRequest, "InvalidRequestException", "account_id and role_name are required")
		return
	}
	if a, ok := s.account(accountID); !ok || !slices.Contains(a.Roles, role) {
		s.mu.Unlock()
		// Not in the service model, but what AWS answers (aws sso
		// get-role-credentials prints "ForbiddenException ... No access").
		ssoPortalError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	akid := "ASIA" + ssoUpperAlnum(16)
	s.sessions[akid] = SSORoleTarget{AccountID: accountID, RoleName: role}
	exp := s.opts.Now().Add(s.opts.RoleCredentialsTTL)
	s.mu.Unlock()
	// Called without the lock: the hook may call back into the fake.
	if s.opts.OnRoleCredentials != nil {
		s.opts.OnRoleCredentials(akid)
	}
	ssoWriteJSON(w, map[string]any{"roleCredentials": map[string]any{
		"accessKeyId":     akid,
		"secretAccessKey": ssoRandom(40),
		"sessionToken":    "IQoJb3JpZ2luX2Vj" + ssoRandom(300),
		"expiration":      exp.UnixMilli(), // milliseconds, unlike STS
	}})
}

// listFault applies FailListPage and Throttle to a list request, before
// authentication as AWS's front door does. It reports whether it answered.
func (s *SSO) listFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	s.listReqs++
	throttle := s.throttleFor > 0
	if throttle {
		s.throttleFor--
	}
	fail := !throttle && s.failList[s.listReqs]
	delete(s.failList, s.listReqs)
	s.mu.Unlock()
	switch {
	case throttle:
		ssoPortalError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
	case fail:
		ssoPortalError(w, http.StatusInternalServerError, "InternalServerException", "internal error (injected)")
	}
	return throttle || fail
}

// ssoPageToken is the content of a next_token; it names its list so that a
// token from one listing cannot continue another.
type ssoPageToken struct {
	List   string `json:"l"`
	Offset int    `json:"o"`
}

// page validates max_result and next_token and returns the slice bounds of
// the requested page, or answers InvalidRequestException.
func (s *SSO) page(w http.ResponseWriter, r *http.Request, list string, total int) (lo, hi int, next string, ok bool) {
	q := r.URL.Query()
	size := s.opts.PageSize
	if v := q.Get("max_result"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ssoMaxResults {
			ssoPortalError(w, http.StatusBadRequest, "InvalidRequestException", "max_result must be between 1 and 100")
			return 0, 0, "", false
		}
		size = min(size, n)
	}
	if v := q.Get("next_token"); v != "" {
		var t ssoPageToken
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err == nil {
			err = json.Unmarshal(raw, &t)
		}
		if err != nil || t.List != list || t.Offset <= 0 || t.Offset > total {
			ssoPortalError(w, http.StatusBadRequest, "InvalidRequestException", "Invalid next token")
			return 0, 0, "", false
		}
		lo = t.Offset
	}
	hi = min(lo+size, total)
	if hi < total {
		raw, _ := json.Marshal(ssoPageToken{List: list, Offset: hi})
		next = base64.RawURLEncoding.EncodeToString(raw)
	}
	return lo, hi, next, true
}

func (s *SSO) listAccounts(w http.ResponseWriter, r *http.Request) {
	s.count("ListAccounts")
	if s.listFault(w) {
		return
	}
	s.mu.Lock()
	ok := s.authorize(w, r)
	s.mu.Unlock()
	if !ok {
		return
	}
	lo, hi, next, ok := s.page(w, r, "accounts", len(s.opts.Accounts))
	if !ok {
		return
	}
	accounts := make([]map[string]string, 0, hi-lo)
	for _, a := range s.opts.Accounts[lo:hi] {
		accounts = append(accounts, map[string]string{"accountId": a.ID, "accountName": a.Name, "emailAddress": a.Email})
	}
	out := map[string]any{"accountList": accounts}
	if next != "" {
		out["nextToken"] = next
	}
	ssoWriteJSON(w, out)
}

func (s *SSO) listAccountRoles(w http.ResponseWriter, r *http.Request) {
	s.count("ListAccountRoles")
	if s.listFault(w) {
		return
	}
	s.mu.Lock()
	ok := s.authorize(w, r)
	s.mu.Unlock()
	if !ok {
		return
	}
	accountID := r.URL.Query().Get("account_id")
	if accountID == "" {
		ssoPortalError(w, http.StatusBadRequest, "InvalidRequestException", "account_id is required")
		return
	}
	// An account the user is not assigned to simply has no roles.
	a, _ := s.account(accountID)
	lo, hi, next, ok := s.page(w, r, "roles:"+accountID, len(a.Roles))
	if !ok {
		return
	}
	roles := make([]map[string]string, 0, hi-lo)
	for _, role := range a.Roles[lo:hi] {
		roles = append(roles, map[string]string{"accountId": accountID, "roleName": role})
	}
	out := map[string]any{"roleList": roles}
	if next != "" {
		out["nextToken"] = next
	}
	ssoWriteJSON(w, out)
}

// logout ends the portal session: the access token stops working, as at AWS.
func (s *SSO) logout(w http.ResponseWriter, r *http.Request) {
	s.count("Logout")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorize(w, r) {
		return
	}
	s.access[r.Header.Get("x-amz-sso_bearer_token")].expired = true
	w.WriteHeader(http.StatusOK)
}

// --- identifiers ----------------------------------------------------------

func ssoRandom(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

func ssoFromAlphabet(alphabet string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func ssoUpperAlnum(n int) string {
	return ssoFromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n)
}

// ssoUserCode looks like AWS's: two groups of four letters without vowels,
// so that no word can be spelt.
func ssoUserCode() string {
	c := ssoFromAlphabet("BCDFGHJKLMNPQRSTVWXZ", 8)
	return c[:4] + "-" + c[4:]
}
