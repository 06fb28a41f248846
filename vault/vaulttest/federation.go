package vaulttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// Federation is a fake of the AWS console federation endpoint
// (signin.aws.amazon.com/federation): getSigninToken and login, with the
// checks AWS makes that awsx must respect.
type Federation struct {
	srv *httptest.Server

	mu      sync.Mutex
	chained map[string]bool            // access key ids of role-chaining sessions
	issued  map[string]FederationGrant // by SigninToken
	kindOf  func(akid, sessionToken string) SessionKind
}

// SessionKind is what the federation endpoint knows of how a session was
// made, which decides what getSigninToken accepts for it.
type SessionKind int

const (
	// SessionUnknown is a session the fake was told nothing about; it
	// gets the benefit of the doubt.
	SessionUnknown SessionKind = iota
	// SessionRole is a role session from AssumeRole* with long-term keys,
	// or a permission set's from the SSO portal.
	SessionRole
	// SessionChained is a role assumed with temporary credentials: AWS
	// refuses a SessionDuration for it.
	SessionChained
	// SessionFederated is a GetFederationToken session: its own
	// DurationSeconds is the console session's length. SessionDuration is
	// documented for AssumeRole* credentials only, and the fake refuses it.
	SessionFederated
	// SessionToken is a GetSessionToken (MFA) session, which AWS refuses
	// for console sign-in altogether.
	SessionToken
)

// FederationGrant is what one SigninToken was issued for.
type FederationGrant struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// SessionDuration is the requested console session length in seconds;
	// zero when the request left it out.
	SessionDuration int
}

// NewFederation starts a fake federation endpoint; Close stops it.
func NewFederation() *Federation {
	f := &Federation{chained: map[string]bool{}, issued: map[string]FederationGrant{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// URL is the endpoint to use in place of https://signin.aws.amazon.com/federation.
func (f *Federation) URL() string { return f.srv.URL + "/federation" }

// Close stops the server.
func (f *Federation) Close() { f.srv.Close() }

// MarkChained registers akid as the key of a session obtained by role
// chaining, for which AWS refuses a SessionDuration.
func (f *Federation) MarkChained(akid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chained[akid] = true
}

// KindsFrom makes the fake ask kind how each session it is sent was made,
// at the time of the request; MarkChained still holds for the keys it
// names.
func (f *Federation) KindsFrom(kind func(akid, sessionToken string) SessionKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kindOf = kind
}

// Issued returns the credentials the given SigninToken was issued for.
func (f *Federation) Issued(token string) (akid, secret, sessionToken string, ok bool) {
	g, ok := f.Grant(token)
	return g.AccessKeyID, g.SecretAccessKey, g.SessionToken, ok
}

// Grant returns everything recorded about the given SigninToken.
func (f *Federation) Grant(token string) (FederationGrant, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.issued[token]
	return g, ok
}

// Grants returns every grant issued for akid.
func (f *Federation) Grants(akid string) []FederationGrant {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []FederationGrant
	for _, g := range f.issued {
		if g.AccessKeyID == akid {
			out = append(out, g)
		}
	}
	return out
}

func (f *Federation) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/federation" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	switch q.Get("Action") {
	case "getSigninToken":
		f.getSigninToken(w, q)
	case "login":
		f.login(w, q)
	default:
		http.Error(w, "unknown Action", http.StatusBadRequest)
	}
}

func (f *Federation) getSigninToken(w http.ResponseWriter, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	var session struct {
		ID    *string `json:"sessionId"`
		Key   *string `json:"sessionKey"`
		Token *string `json:"sessionToken"`
	}
	dec := json.NewDecoder(strings.NewReader(get("Session")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&session); err != nil || dec.More() {
		http.Error(w, "malformed Session", http.StatusBadRequest)
		return
	}
	if session.ID == nil || session.Key == nil || session.Token == nil ||
		*session.ID == "" || *session.Key == "" || *session.Token == "" {
		http.Error(w, "Session lacks sessionId, sessionKey or sessionToken", http.StatusBadRequest)
		return
	}
	duration := 0
	if _, ok := q["SessionDuration"]; ok {
		d, err := strconv.Atoi(get("SessionDuration"))
		if err != nil || d < 900 || d > 43200 {
			http.Error(w, "SessionDuration must be 900 to 43200", http.StatusBadRequest)
			return
		}
		duration = d
	}
	f.mu.Lock()
	kindOf := f.kindOf
	kind := SessionUnknown
	if f.chained[*session.ID] {
		kind = SessionChained
	}
	f.mu.Unlock()
	if kind == SessionUnknown && kindOf != nil {
		// Asked without the lock: it may call into other fakes.
		kind = kindOf(*session.ID, *session.Token)
	}
	// AWS answers all of these with a bare 400 ("Invalid credentials
	// parameter"); the text here says which rule it was, for the tests.
	switch {
	case kind == SessionToken:
		http.Error(w, "Invalid credentials parameter: GetSessionToken credentials cannot sign in to the console", http.StatusBadRequest)
		return
	case duration != 0 && kind == SessionChained:
		http.Error(w, "Invalid credentials parameter: SessionDuration is not allowed for role-chained sessions", http.StatusBadRequest)
		return
	case duration != 0 && kind == SessionFederated:
		http.Error(w, "Invalid credentials parameter: SessionDuration is for AssumeRole credentials; a federation token's own duration is the console session's", http.StatusBadRequest)
		return
	}
	token := "fedtok-" + randomHex()
	f.mu.Lock()
	f.issued[token] = FederationGrant{*session.ID, *session.Key, *session.Token, duration}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
}

func (f *Federation) login(w http.ResponseWriter, q map[string][]string) {
	token := ""
	if v := q["SigninToken"]; len(v) == 1 {
		token = v[0]
	}
	g, ok := f.Grant(token)
	dest := ""
	if v := q["Destination"]; len(v) == 1 {
		dest = v[0]
	}
	if !ok || dest == "" {
		http.Error(w, "unknown SigninToken or no Destination", http.StatusBadRequest)
		return
	}
	// A browser would be redirected to dest; tests only need to know who
	// got in and where they were headed.
	fmt.Fprintf(w, "signed in as %s, destination %s\n", g.AccessKeyID, dest)
}

func randomHex() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// federations holds each running script's fake, keyed by its $WORK, since
// testscript commands are plain functions shared by all scripts.
var (
	federationsMu sync.Mutex
	federations   = map[string]*Federation{}
)

// FederationCommands returns testscript commands for the fake:
//
//	federation start                    start it; sets AWSX_FEDERATION_URL
//	federation chained AKID             AKID is a role-chaining session's key
//	federation issued-for AKID [SECS]   a SigninToken was issued for AKID
//	                                    (with SessionDuration SECS, or "none")
//	federation url-matches URL JSON [SECS]
//	                                    the login URL in file URL carries a
//	                                    SigninToken issued for exactly the
//	                                    credentials in file JSON
//	                                    (credential_process format), with
//	                                    SessionDuration SECS, or "none"
//
// The fake learns from the script's STS front (sts start) and SSO fake
// (sso start), whenever they start, how each session it is sent was made:
// it refuses GetSessionToken sessions, and SessionDuration for chained
// role sessions and federation tokens, as AWS does. It stops when the
// script ends.
func FederationCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"federation": federationCmd,
	}
}

func federationCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: federation start | chained AKID | issued-for AKID [SECS|none]")
	}
	work := ts.Getenv("WORK")
	if args[0] == "start" {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: federation start")
		}
		f := NewFederation()
		// Without vaulttest.Setup there is no STS front to learn from.
		st, _ := ts.Value(scriptKey{}).(*scriptState)
		f.KindsFrom(func(akid, sessionToken string) SessionKind {
			if front := st.currentFront(); front != nil {
				if i, ok := front.IssuedFor(sessionToken); ok {
					switch {
					case i.Action == "GetSessionToken":
						return SessionToken
					case i.Action == "GetFederationToken":
						return SessionFederated
					case i.Chained:
						return SessionChained
					}
					return SessionRole
				}
			}
			if s := ssoFor(work); s != nil {
				if _, ok := s.RoleSession(akid); ok {
					return SessionRole
				}
			}
			return SessionUnknown
		})
		federationsMu.Lock()
		old := federations[work]
		federations[work] = f
		federationsMu.Unlock()
		if old != nil {
			old.Close()
		}
		ts.Setenv("AWSX_FEDERATION_URL", f.URL())
		ts.Defer(func() {
			f.Close()
			federationsMu.Lock()
			if federations[work] == f {
				delete(federations, work)
			}
			federationsMu.Unlock()
		})
		return
	}
	federationsMu.Lock()
	f := federations[work]
	federationsMu.Unlock()
	if f == nil {
		ts.Fatalf("federation %s: run 'federation start' first", args[0])
	}
	switch args[0] {
	case "chained":
		if neg || len(args) != 2 {
			ts.Fatalf("usage: federation chained AKID")
		}
		f.MarkChained(args[1])
	case "issued-for":
		if len(args) != 2 && len(args) != 3 {
			ts.Fatalf("usage: [!] federation issued-for AKID [SECS|none]")
		}
		found := false
		for _, g := range f.Grants(args[1]) {
			if len(args) == 2 || durationMatches(g.SessionDuration, args[2]) {
				found = true
				break
			}
		}
		switch {
		case found && neg:
			ts.Fatalf("a sign-in token was issued for %s", strings.Join(args[1:], " "))
		case !found && !neg:
			ts.Fatalf("no sign-in token was issued for %s", strings.Join(args[1:], " "))
		}
	case "url-matches":
		if neg || (len(args) != 3 && len(args) != 4) {
			ts.Fatalf("usage: federation url-matches URLFILE JSONFILE [SECS|none]")
		}
		u, err := url.Parse(strings.TrimSpace(ts.ReadFile(args[1])))
		ts.Check(err)
		if !strings.HasPrefix(u.String(), f.URL()+"?") || u.Query().Get("Action") != "login" {
			ts.Fatalf("%s is not a login URL of the fake endpoint %s", args[1], f.URL())
		}
		var want struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[2])), &want))
		g, ok := f.Grant(u.Query().Get("SigninToken"))
		switch {
		case !ok:
			ts.Fatalf("the URL's SigninToken was not issued by the fake")
		case g.AccessKeyID != want.AccessKeyId || g.SecretAccessKey != want.SecretAccessKey || g.SessionToken != want.SessionToken:
			ts.Fatalf("the SigninToken was issued for %s, not for the credentials in %s (%s)", g.AccessKeyID, args[2], want.AccessKeyId)
		case len(args) == 4 && !durationMatches(g.SessionDuration, args[3]):
			ts.Fatalf("the SigninToken was issued with SessionDuration %d, want %s", g.SessionDuration, args[3])
		}
	default:
		ts.Fatalf("federation: unknown subcommand %q", args[0])
	}
}

func durationMatches(got int, want string) bool {
	if want == "none" {
		return got == 0
	}
	return strconv.Itoa(got) == want
}
