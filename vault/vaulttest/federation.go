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
}

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
	token := "fedtok-" + randomHex()
	f.mu.Lock()
	// AWS refuses SessionDuration for sessions from role chaining.
	refused := duration != 0 && f.chained[*session.ID]
	if !refused {
		f.issued[token] = FederationGrant{*session.ID, *session.Key, *session.Token, duration}
	}
	f.mu.Unlock()
	if refused {
		http.Error(w, "SessionDuration is not allowed for role-chained sessions", http.StatusBadRequest)
		return
	}
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
//	federation url-matches URL JSON     the login URL in file URL carries a
//	                                    SigninToken issued for exactly the
//	                                    credentials in file JSON
//	                                    (credential_process format)
//
// The fake stops when the script ends.
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
		if neg || len(args) != 3 {
			ts.Fatalf("usage: federation url-matches URLFILE JSONFILE")
		}
		u, err := url.Parse(strings.TrimSpace(ts.ReadFile(args[1])))
		ts.Check(err)
		if !strings.HasPrefix(u.String(), f.URL()+"?") || u.Query().Get("Action") != "login" {
			ts.Fatalf("%s is not a login URL of the fake endpoint %s", args[1], f.URL())
		}
		var want struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[2])), &want))
		akid, secret, token, ok := f.Issued(u.Query().Get("SigninToken"))
		switch {
		case !ok:
			ts.Fatalf("the URL's SigninToken was not issued by the fake")
		case akid != want.AccessKeyId || secret != want.SecretAccessKey || token != want.SessionToken:
			ts.Fatalf("the SigninToken was issued for %s, not for the credentials in %s (%s)", akid, args[2], want.AccessKeyId)
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
