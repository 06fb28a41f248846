package vaulttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RoleChainingMessage is AWS's message for a role-chained AssumeRole that asks
// for more than an hour; awsx and its tests must recognise it verbatim.
const RoleChainingMessage = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."

// maxChainedDuration is AWS's cap, in seconds, on a session assumed with role
// credentials.
const maxChainedDuration = 3600

// Front is a reverse proxy in front of moto that counts AWS query-protocol
// requests by Action, enforces the role-chaining limit that moto lacks and
// injects faults. Requests answered by the front itself (injected faults,
// role-chaining refusals) are counted too: the counts say what the client
// sent, not what reached moto.
type Front struct {
	srv       *httptest.Server
	transport *http.Transport
	closeOnce sync.Once

	mu       sync.Mutex
	counts   map[string]int
	last     map[string]url.Values // the parameters of each Action's latest request
	roleKeys map[string]bool
	expires  map[string]time.Time // when each session the front saw issued ends
	lifetime time.Duration        // non-zero: sessions issued end this long after issue
	offset   time.Duration        // how far the front's clock is ahead of the real one
	faults   int                  // requests still to be answered with fault
	faultOn  string               // the Action faults are limited to; "" for any
	fault    awsError
	hang     chan struct{} // non-nil: requests wait for it to close, unanswered

	// roleKeysFrom also names role keys, asked at each request: keys
	// minted by another fake that may start before or after the front.
	roleKeysFrom func(akid string) bool
	issued       map[string]Issued // by session token
	lastIssued   map[string]Issued // by Action
}

type awsError struct {
	status        int
	code, message string
}

type actionKey struct{}

// NewFront starts a front on a free 127.0.0.1 port that forwards to backend,
// a moto base URL.
func NewFront(backend string) (*Front, error) {
	target, err := url.Parse(backend)
	if err != nil {
		return nil, fmt.Errorf("start sts front: parse backend url %q: %w", backend, err)
	}
	f := &Front{
		// Its own transport so Close can drop the front's idle connections
		// to moto instead of leaking them into http.DefaultTransport.
		transport: http.DefaultTransport.(*http.Transport).Clone(),
		counts:    map[string]int{},
		last:      map[string]url.Values{},
		roleKeys:  map[string]bool{},
		expires:   map[string]time.Time{},
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// Keep the signed Host header as the client sent it.
			r.Out.Host = r.In.Host
			// Without an explicit Accept-Encoding the transport decompresses
			// transparently, so ModifyResponse can read the XML.
			r.Out.Header.Del("Accept-Encoding")
		},
		Transport:      f.transport,
		ModifyResponse: f.learnKeys,
	}
	f.srv = httptest.NewUnstartedServer(f.handler(proxy))
	// A client holding a kept-alive connection would see "broken pipe" or
	// EOF instead of "connection refused" after Down, depending on timing.
	f.srv.Config.SetKeepAlivesEnabled(false)
	f.srv.Start()
	return f, nil
}

// StartFront returns a front to the shared moto server, closed when t ends.
// It fails t if moto cannot start: a test that needs AWS must not pass
// without it.
func StartFront(t testing.TB) *Front {
	t.Helper()
	m, err := SharedMoto()
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFront(m.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// URL is the front's base URL, for AWS_ENDPOINT_URL_STS and friends.
func (f *Front) URL() string { return f.srv.URL }

// Close stops the front. It is safe to call more than once and after Down.
func (f *Front) Close() {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		if f.hang != nil {
			close(f.hang)
		}
		f.mu.Unlock()
		f.srv.Close()
		f.transport.CloseIdleConnections()
	})
}

// Hang makes the front accept requests and never answer them, as an
// endpoint behind a black-holing firewall does, until Close.
func (f *Front) Hang() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hang == nil {
		f.hang = make(chan struct{})
	}
}

// Down closes the front's listener, so that clients get "connection refused"
// as they would from a stopped AWS emulator. Counts stay readable.
func (f *Front) Down() { f.Close() }

// Count is the number of requests with this Action seen so far.
func (f *Front) Count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[action]
}

// Params returns the parameters of the latest request with this Action,
// nil when there was none: what the client asked for (a DurationSeconds,
// an ExternalId, a TokenCode), as it went on the wire.
func (f *Front) Params(action string) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last[action]
}

// AddRoleKey marks akid as role credentials, for keys minted outside the
// front (the SSO fake's GetRoleCredentials), so AssumeRole signed with it is
// held to the role-chaining limit.
func (f *Front) AddRoleKey(akid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roleKeys[akid] = true
}

// RoleKeysFrom makes the front also hold AssumeRole signed with any key
// for which known reports true to the role-chaining limit. known is asked
// at each request, so keys another fake mints (the SSO portal's role
// credentials) count whichever of the two was started first.
func (f *Front) RoleKeysFrom(known func(akid string) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roleKeysFrom = known
}

// Issued is one set of credentials the front saw STS return, and how it
// was made.
type Issued struct {
	Action                                     string // AssumeRole, GetSessionToken, GetFederationToken, ...
	AccessKeyID, SecretAccessKey, SessionToken string
	// Chained: an AssumeRole signed with temporary credentials (the request
	// carried a session token), which AWS treats as role chaining: the
	// session lasts an hour at most and the console refuses a
	// SessionDuration for it.
	Chained bool
}

// IssuedFor returns what the front recorded about the credentials with
// this session token. Session tokens, not key ids, tell answers apart:
// moto returns the same example key id from GetSessionToken and
// GetFederationToken.
func (f *Front) IssuedFor(sessionToken string) (Issued, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.issued[sessionToken]
	return i, ok
}

// LastIssued returns the credentials of the latest successful answer to
// action.
func (f *Front) LastIssued(action string) (Issued, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.lastIssued[action]
	return i, ok
}

// FailNext answers the next n requests with status and an AWS XML error.
// The SDKs retry throttling and 5xx errors (three attempts by default), and
// each attempt consumes one of the n.
func (f *Front) FailNext(n, status int, code, message string) {
	f.FailNextOn("", n, status, code, message)
}

// FailNextOn is FailNext for the requests with one Action only; the
// others pass.
func (f *Front) FailNextOn(action string, n, status int, code, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults, f.faultOn = n, action
	f.fault = awsError{status: status, code: code, message: message}
}

func (f *Front) handler(proxy http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "sts front: read request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body)) // a non-form body simply has no Action
		action := form.Get("Action")
		if action == "" {
			action = r.URL.Query().Get("Action")
		}
		akid, service := credentialScope(r.Header.Get("Authorization"))

		if e, ok := f.checkSigningTime(r, service); ok {
			f.writeError(w, service, e)
			return
		}
		if hang := f.hanging(); hang != nil {
			f.decide(action, akid, form)
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		if e, ok := f.decide(action, akid, form); ok {
			f.writeError(w, service, e)
			return
		}
		proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actionKey{}, action)))
	})
}

// SetClockOffset puts the front's clock d ahead of the real one (behind
// for a negative d), as AWS's is for a machine whose clock is off: it
// refuses requests signed more than 5 minutes from its time, and dates
// its answers by it.
func (f *Front) SetClockOffset(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offset = d
}

func (f *Front) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Add(f.offset)
}

// checkSigningTime refuses a request signed more than 5 minutes from the
// front's clock, with AWS's answer.
func (f *Front) checkSigningTime(r *http.Request, service string) (awsError, bool) {
	signed, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return awsError{}, false
	}
	now := f.now().UTC()
	if d := now.Sub(signed); d > 5*time.Minute || d < -5*time.Minute {
		const layout = "20060102T150405Z"
		msg := fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)", signed.Format(layout), now.Add(-5*time.Minute).Format(layout), now.Format(layout))
		if d < 0 {
			msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)", signed.Format(layout), now.Add(5*time.Minute).Format(layout), now.Format(layout))
		}
		return awsError{status: http.StatusForbidden, code: "SignatureDoesNotMatch", message: msg}, true
	}
	return awsError{}, false
}

func (f *Front) hanging() chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hang
}

// decide counts the request and says whether the front answers it itself.
func (f *Front) decide(action, akid string, form url.Values) (awsError, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts[action]++
	f.last[action] = form
	if f.faults > 0 && (f.faultOn == "" || f.faultOn == action) {
		f.faults--
		return f.fault, true
	}
	if end, ok := f.expires[akid]; ok && !time.Now().Before(end) {
		return awsError{status: http.StatusForbidden, code: "ExpiredToken", message: "The security token included in the request is expired"}, true
	}
	if action == "AssumeRole" && (f.roleKeys[akid] || (f.roleKeysFrom != nil && f.roleKeysFrom(akid))) {
		if d, err := strconv.Atoi(form.Get("DurationSeconds")); err == nil && d > maxChainedDuration {
			return awsError{status: http.StatusBadRequest, code: "ValidationError", message: RoleChainingMessage}, true
		}
	}
	return awsError{}, false
}

// learnKeys records the sessions that STS issues, with the Action that
// made them: when each ends, so that a request signed with an expired one
// is refused as AWS refuses it, and which are held to the one-hour cap when
// they assume a role. AWS caps role sessions (role chaining) and
// GetSessionToken sessions; only an IAM user's long-term keys get a role
// its full duration. With a lifetime set, the session's Expiration is
// rewritten first.
func (f *Front) learnKeys(resp *http.Response) error {
	resp.Header.Set("Date", f.now().UTC().Format(http.TimeFormat))
	action, _ := resp.Request.Context().Value(actionKey{}).(string)
	capped := false
	switch action {
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken":
		capped = true
	case "GetFederationToken":
	default:
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("sts front: read moto response: %w", err)
	}
	f.mu.Lock()
	lifetime := f.lifetime
	f.mu.Unlock()
	if lifetime > 0 {
		end := time.Now().Add(lifetime).UTC().Format(time.RFC3339)
		body = expirationElement.ReplaceAll(body, []byte("<Expiration>"+end+"</Expiration>"))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	i := Issued{
		Action:          action,
		AccessKeyID:     findElement(body, "AccessKeyId"),
		SecretAccessKey: findElement(body, "SecretAccessKey"),
		SessionToken:    findElement(body, "SessionToken"),
		Chained:         action == "AssumeRole" && resp.Request.Header.Get("X-Amz-Security-Token") != "",
	}
	if i.AccessKeyID == "" {
		return nil
	}
	if capped {
		f.AddRoleKey(i.AccessKeyID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if end, err := time.Parse(time.RFC3339, findElement(body, "Expiration")); err == nil {
		f.expires[i.AccessKeyID] = end
	}
	if i.SessionToken != "" {
		if f.issued == nil {
			f.issued, f.lastIssued = map[string]Issued{}, map[string]Issued{}
		}
		f.issued[i.SessionToken] = i
		f.lastIssued[action] = i
	}
	return nil
}

var expirationElement = regexp.MustCompile(`<Expiration>[^<]*</Expiration>`)

// SetLifetime makes the sessions issued from now on end after d instead of
// when moto says, shorter than STS allows, to test renewals in seconds.
func (f *Front) SetLifetime(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lifetime = d
}

// findElement returns the text of the first element called name.
func findElement(doc []byte, name string) string {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var text string
			if dec.DecodeElement(&text, &se) != nil {
				return ""
			}
			return strings.TrimSpace(text)
		}
	}
}

// credentialScope extracts the access key id and service from a SigV4
// Authorization header: "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...".
func credentialScope(auth string) (akid, service string) {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) >= 4 {
		service = parts[3]
	}
	return parts[0], service
}

var xmlNamespaces = map[string]string{
	"sts": "https://sts.amazonaws.com/doc/2011-06-15/",
	"iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}

// writeError answers with e, dated by the front's clock.
func (f *Front) writeError(w http.ResponseWriter, service string, e awsError) {
	w.Header().Set("Date", f.now().UTC().Format(http.TimeFormat))
	writeAWSError(w, service, e)
}

// writeAWSError writes the query-protocol error document that STS and IAM
// send, which both the Go SDK and botocore parse into an error code.
func writeAWSError(w http.ResponseWriter, service string, e awsError) {
	kind := "Sender"
	if e.status >= 500 {
		kind = "Receiver"
	}
	id := requestID()
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.message))
	ns := ""
	if u, ok := xmlNamespaces[service]; ok {
		ns = ` xmlns="` + u + `"`
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	w.WriteHeader(e.status)
	fmt.Fprintf(w, "<ErrorResponse%s>\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n",
		ns, kind, e.code, msg.String(), id)
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
