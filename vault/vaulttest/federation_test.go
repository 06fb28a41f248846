package vaulttest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsx-cli/awsx/vault/vaulttest"
)

// federationGet asks fed for a sign-in token with the raw query q.
func federationGet(t *testing.T, endpoint string, q url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(endpoint + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ SigninToken string }
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &body); err != nil {
			t.Fatalf("body %q: %v", data, err)
		}
	}
	return resp.StatusCode, body.SigninToken
}

func TestFederationGetSigninToken(t *testing.T) {
	fed := vaulttest.NewFederation()
	defer fed.Close()
	fed.MarkChained("ASIACHAINED")
	const good = `{"sessionId":"ASIAONE","sessionKey":"key","sessionToken":"tok"}`
	tests := []struct {
		name, session, duration string
		status                  int
	}{
		{"good", good, "", 200},
		{"good with duration", good, "43200", 200},
		{"not JSON", `sessionId=ASIAONE`, "", 400},
		{"trailing data", good + `{}`, "", 400},
		{"missing token", `{"sessionId":"ASIAONE","sessionKey":"key"}`, "", 400},
		{"empty key", `{"sessionId":"ASIAONE","sessionKey":"","sessionToken":"tok"}`, "", 400},
		{"unknown field", `{"sessionId":"ASIAONE","sessionKey":"k","sessionToken":"t","extra":1}`, "", 400},
		{"duration too short", good, "899", 400},
		{"duration too long", good, "43201", 400},
		{"duration not a number", good, "1h", 400},
		{"chained", `{"sessionId":"ASIACHAINED","sessionKey":"k","sessionToken":"t"}`, "", 200},
		{"chained with duration", `{"sessionId":"ASIACHAINED","sessionKey":"k","sessionToken":"t"}`, "3600", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"Action": {"getSigninToken"}, "Session": {tt.session}}
			if tt.duration != "" {
				q.Set("SessionDuration", tt.duration)
			}
			status, token := federationGet(t, fed.URL(), q)
			if status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			_, _, _, ok := fed.Issued(token)
			if ok != (status == 200) {
				t.Errorf("token %q recorded: %v", token, ok)
			}
		})
	}
	status, token := federationGet(t, fed.URL(), url.Values{"Action": {"getSigninToken"}, "Session": {good}})
	akid, secret, sessionToken, ok := fed.Issued(token)
	if status != 200 || !ok || akid != "ASIAONE" || secret != "key" || sessionToken != "tok" {
		t.Errorf("Issued(%q) = %q %q %q %v", token, akid, secret, sessionToken, ok)
	}
	if _, _, _, ok := fed.Issued("fedtok-unknown"); ok {
		t.Error("unknown token reported as issued")
	}
}

func TestFederationLogin(t *testing.T) {
	fed := vaulttest.NewFederation()
	defer fed.Close()
	_, token := federationGet(t, fed.URL(), url.Values{"Action": {"getSigninToken"},
		"Session": {`{"sessionId":"ASIAONE","sessionKey":"key","sessionToken":"tok"}`}})
	for _, tc := range []struct {
		token  string
		status int
	}{{token, 200}, {"fedtok-forged", 400}} {
		q := url.Values{"Action": {"login"}, "SigninToken": {tc.token}, "Destination": {"https://console.aws.amazon.com/"}}
		resp, err := http.Get(fed.URL() + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("login with %q: %s, want %d", tc.token, resp.Status, tc.status)
		}
	}
}

const federationScript = `
federation start
fedget ASIAONE 3600
federation issued-for ASIAONE
federation issued-for ASIAONE 3600
! federation issued-for ASIAONE none
! federation issued-for ASIATWO
federation chained ASIATWO
! fedget ASIATWO 3600
! federation issued-for ASIATWO
fedget ASIATWO none
federation issued-for ASIATWO none
`

func TestFederationCommands(t *testing.T) {
	dir := t.TempDir()
	// Two scripts run in parallel, each with its own fake.
	for _, name := range []string{"a.txtar", "b.txtar"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(federationScript), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmds := vaulttest.FederationCommands()
	// fedget AKID SECS|none asks $AWSX_FEDERATION_URL for a sign-in token,
	// as awsx console would.
	cmds["fedget"] = func(ts *testscript.TestScript, neg bool, args []string) {
		q := url.Values{"Action": {"getSigninToken"},
			"Session": {`{"sessionId":"` + args[0] + `","sessionKey":"k","sessionToken":"t"}`}}
		if args[1] != "none" {
			q.Set("SessionDuration", args[1])
		}
		resp, err := http.Get(ts.Getenv("AWSX_FEDERATION_URL") + "?" + q.Encode())
		ts.Check(err)
		resp.Body.Close()
		if (resp.StatusCode == 200) == neg {
			ts.Fatalf("getSigninToken for %s: %s", args[0], resp.Status)
		}
	}
	testscript.Run(t, testscript.Params{Dir: dir, Cmds: cmds})
}

// What the fake learns of a session's making decides what it accepts, as
// at AWS: no GetSessionToken session signs in, and only a role session
// from long-term keys may ask for a SessionDuration.
func TestFederationSessionKinds(t *testing.T) {
	fed := vaulttest.NewFederation()
	defer fed.Close()
	kinds := map[string]vaulttest.SessionKind{
		"role": vaulttest.SessionRole, "chained": vaulttest.SessionChained,
		"federated": vaulttest.SessionFederated, "mfa": vaulttest.SessionToken,
	}
	fed.KindsFrom(func(_, sessionToken string) vaulttest.SessionKind { return kinds[sessionToken] })
	for _, tt := range []struct {
		token           string
		withDuration    int
		withoutDuration int
	}{
		{"role", 200, 200},
		{"unknown", 200, 200},
		{"chained", 400, 200},
		{"federated", 400, 200},
		{"mfa", 400, 400},
	} {
		for _, duration := range []string{"3600", ""} {
			q := url.Values{"Action": {"getSigninToken"},
				"Session": {`{"sessionId":"AKIAIOSFODNN7EXAMPLE","sessionKey":"k","sessionToken":"` + tt.token + `"}`}}
			want := tt.withoutDuration
			if duration != "" {
				q.Set("SessionDuration", duration)
				want = tt.withDuration
			}
			if status, _ := federationGet(t, fed.URL(), q); status != want {
				t.Errorf("%s session, SessionDuration %q: status %d, want %d", tt.token, duration, status, want)
			}
		}
	}
}
