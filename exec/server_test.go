package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsx-cli/awsx/vault/creds"
)

// serverCreds returns distinct credentials for call n that expire after ttl.
func serverCreds(n int, ttl time.Duration) creds.Credentials {
	return creds.Credentials{
		Profile:         "prod",
		AccessKeyID:     fmt.Sprintf("ASIATEST%08d", n),
		SecretAccessKey: fmt.Sprintf("secret-%d", n),
		SessionToken:    fmt.Sprintf("token-%d", n),
		Expires:         time.Now().Add(ttl),
		AccountID:       "123456789012",
	}
}

// newTestServer starts a server and closes it when the test ends.
func newTestServer(t *testing.T, get func(context.Context) (creds.Credentials, error)) *Server {
	t.Helper()
	srv, err := NewServer(get)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// serverEnvValue returns the value of name in a KEY=VALUE list.
func serverEnvValue(env []string, name string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

type credsResponse struct {
	status int
	body   containerCredentials
	errMsg struct{ Code, Message string }
	got    time.Time
}

// fetchCreds asks srv for credentials as an SDK would, with the given token.
func fetchCreds(t *testing.T, srv *Server, method, token string) credsResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := credsResponse{status: resp.StatusCode, got: time.Now()}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(data, &r.body)
	} else {
		err = json.Unmarshal(data, &r.errMsg)
	}
	if err != nil {
		t.Fatalf("%s %s: status %d, body %q: %v", method, srv.URL(), resp.StatusCode, data, err)
	}
	return r
}

func TestServerEnv(t *testing.T) {
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	env := srv.Env()
	uri := serverEnvValue(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/`).MatchString(uri) {
		t.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI = %q, want http://127.0.0.1:PORT/...", uri)
	}
	token := serverEnvValue(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Errorf("token %q is not 32 URL-safe base64 bytes", token)
	}
	other := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	if serverEnvValue(other.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN") == token {
		t.Error("two servers share a token")
	}
}

func TestServerRefuses(t *testing.T) {
	var calls atomic.Int32
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		calls.Add(1)
		return serverCreds(1, time.Hour), nil
	})
	token := serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN")
	// One character changed; the token is random, so not always to x.
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}
	tests := []struct {
		name, method, token string
		status              int
	}{
		{"missing token", http.MethodGet, "", http.StatusForbidden},
		{"wrong token", http.MethodGet, wrong, http.StatusForbidden},
		{"token prefix", http.MethodGet, token[:len(token)-1], http.StatusForbidden},
		{"bearer scheme", http.MethodGet, "Bearer " + token, http.StatusForbidden},
		{"post", http.MethodPost, token, http.StatusMethodNotAllowed},
		{"put", http.MethodPut, token, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fetchCreds(t, srv, tt.method, tt.token)
			if r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
			if r.errMsg.Code == "" || r.errMsg.Message == "" {
				t.Errorf("error body %+v lacks code or message", r.errMsg)
			}
		})
	}
	t.Run("not loopback", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, srv.URL(), nil)
		req.RemoteAddr = "192.0.2.7:40000"
		req.Header.Set("Authorization", token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("status %d, want 403", rec.Code)
		}
	})
	if n := calls.Load(); n != 0 {
		t.Errorf("refused requests called get %d times", n)
	}
	if r := fetchCreds(t, srv, http.MethodGet, token); r.status != http.StatusOK || r.body.AccessKeyID != "ASIATEST00000001" {
		t.Errorf("right token: status %d, body %+v", r.status, r.body)
	}
}

func TestServerGoSDK(t *testing.T) {
	want := serverCreds(1, time.Hour)
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return want, nil })
	isolateSDK(t, srv.Env())

	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != want.AccessKeyID || got.SecretAccessKey != want.SecretAccessKey || got.SessionToken != want.SessionToken {
		t.Errorf("SDK got %s/%s/%s, want %s/%s/%s", got.AccessKeyID, got.SecretAccessKey, got.SessionToken,
			want.AccessKeyID, want.SecretAccessKey, want.SessionToken)
	}
	// The SDK's cache may move the expiry earlier by its own window.
	if !got.CanExpire || got.Expires.After(want.Expires) || got.Expires.Before(want.Expires.Add(-10*time.Minute)) {
		t.Errorf("SDK expiry %v (can expire %v), want about %v", got.Expires, got.CanExpire, want.Expires)
	}
	if got.AccountID != want.AccountID {
		t.Errorf("SDK account %q, want %q", got.AccountID, want.AccountID)
	}
}

func TestServerGoSDKShowsError(t *testing.T) {
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		return creds.Credentials{}, errors.New(`profile "bastion": session expired; run awsx login bastion`)
	})
	isolateSDK(t, srv.Env())
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "run awsx login bastion") {
		t.Errorf("SDK error %v does not carry the get error", err)
	}
}

// isolateSDK points the SDK at the server and nothing else: no real keys,
// profiles or instance metadata from the machine running the tests.
func isolateSDK(t *testing.T, serverEnv []string) {
	dir := t.TempDir()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, kv := range serverEnv {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func TestServerRenews(t *testing.T) {
	const ttl = 2 * time.Second
	var (
		mu      sync.Mutex
		calls   int
		expires = map[string]time.Time{}
	)
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		c := serverCreds(calls, ttl)
		expires[c.AccessKeyID] = c.Expires
		return c, nil
	})
	srv.RenewWindow = time.Second
	token := serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN")

	seen := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(seen) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s only %d distinct credentials were served", len(seen))
		}
		r := fetchCreds(t, srv, http.MethodGet, token)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %+v", r.status, r.errMsg)
		}
		mu.Lock()
		exp, ok := expires[r.body.AccessKeyID]
		mu.Unlock()
		if !ok {
			t.Fatalf("served unknown key %q", r.body.AccessKeyID)
		}
		if !r.got.Before(exp) {
			t.Fatalf("served %s at %v, after it expired at %v", r.body.AccessKeyID, r.got, exp)
		}
		announced, err := time.Parse(time.RFC3339, r.body.Expiration)
		if err != nil {
			t.Fatalf("Expiration %q: %v", r.body.Expiration, err)
		}
		if announced.After(exp) || !strings.HasSuffix(r.body.Expiration, "Z") {
			t.Fatalf("announced expiry %s, real %v", r.body.Expiration, exp)
		}
		seen[r.body.AccessKeyID] = true
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	// Each renewal should be one get, however many requests fell in the
	// window; a few extra would mean the cache is not used at all.
	if calls != 3 {
		t.Errorf("get called %d times for 3 distinct credentials", calls)
	}
}

func TestServerCollapsesConcurrentRenewals(t *testing.T) {
	const clients = 8
	var calls atomic.Int32
	release := make(chan struct{})
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		n := calls.Add(1)
		<-release
		return serverCreds(int(n), time.Hour), nil
	})
	token := serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN")

	results := make(chan credsResponse, clients)
	for range clients {
		go func() { results <- fetchCreds(t, srv, http.MethodGet, token) }()
	}
	// Release get only once every request is waiting on it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		srv.mu.Lock()
		waiting := 0
		if srv.flight != nil {
			waiting = srv.flight.waiters
		}
		srv.mu.Unlock()
		if waiting == clients {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("only %d of %d requests waited on the renewal", waiting, clients)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	for range clients {
		r := <-results
		if r.status != http.StatusOK || r.body.AccessKeyID != "ASIATEST00000001" {
			t.Errorf("status %d, key %q", r.status, r.body.AccessKeyID)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("get called %d times for %d concurrent requests", n, clients)
	}
}

func TestServerFailedRenewal(t *testing.T) {
	var (
		mu    sync.Mutex
		fail  bool
		calls int
	)
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if fail {
			return creds.Credentials{}, errors.New("session expired; run awsx login bastion")
		}
		return serverCreds(calls, 3*time.Hour), nil
	})
	// Every request renews, so the failure below is met while the first
	// credentials are still good.
	srv.RenewWindow = 4 * time.Hour
	token := serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN")

	if r := fetchCreds(t, srv, http.MethodGet, token); r.status != http.StatusOK {
		t.Fatalf("first request: %d %+v", r.status, r.errMsg)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	r := fetchCreds(t, srv, http.MethodGet, token)
	if r.status != http.StatusOK || r.body.AccessKeyID != "ASIATEST00000001" {
		t.Errorf("failed renewal with good credentials cached: status %d, key %q", r.status, r.body.AccessKeyID)
	}

	// Keys about to end are not handed out: the error reaches the client
	// once they have half the renew window left, and once they are gone.
	for _, left := range []time.Duration{2*time.Hour - time.Second, -time.Second} {
		srv.mu.Lock()
		srv.creds.Expires = time.Now().Add(left)
		srv.mu.Unlock()
		r = fetchCreds(t, srv, http.MethodGet, token)
		if r.status != http.StatusInternalServerError || !strings.Contains(r.errMsg.Message, "run awsx login bastion") {
			t.Errorf("%s left: status %d, error %+v; want 500 with the get error", left, r.status, r.errMsg)
		}
	}
	srv.mu.Lock()
	srv.creds.Expires = time.Now().Add(2*time.Hour + time.Minute)
	srv.mu.Unlock()
	if r = fetchCreds(t, srv, http.MethodGet, token); r.status != http.StatusOK {
		t.Errorf("more than half the renew window left: status %d, error %+v", r.status, r.errMsg)
	}
}

func TestServerRefusesExpiredFromGet(t *testing.T) {
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		return serverCreds(1, -time.Minute), nil
	})
	r := fetchCreds(t, srv, http.MethodGet, serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN"))
	if r.status != http.StatusInternalServerError || !strings.Contains(r.errMsg.Message, "expired") {
		t.Errorf("status %d, error %+v; want 500 naming the expiry", r.status, r.errMsg)
	}
}

func TestServerStaticKeys(t *testing.T) {
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		return creds.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "s"}, nil
	})
	r := fetchCreds(t, srv, http.MethodGet, serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN"))
	exp, err := time.Parse(time.RFC3339, r.body.Expiration)
	if r.status != http.StatusOK || err != nil || !exp.After(time.Now()) {
		t.Errorf("status %d, Expiration %q (%v); want a future expiration", r.status, r.body.Expiration, err)
	}
}

func runWithTestServer(t *testing.T, argv []string, env []string) (int, string) {
	t.Helper()
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	var out bytes.Buffer
	code, err := RunWithServer(context.Background(), srv, ServerCommand{Argv: argv, Env: env, Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatalf("RunWithServer: %v (output %q)", err, out.String())
	}
	return code, out.String()
}

func TestRunWithServerNotFound(t *testing.T) {
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) { return serverCreds(1, time.Hour), nil })
	code, err := RunWithServer(context.Background(), srv, ServerCommand{
		Argv: []string{"awsx-no-such-command"},
		Env:  []string{"PATH=" + t.TempDir()},
	})
	if code != 127 || err == nil || !strings.Contains(err.Error(), "awsx-no-such-command") {
		t.Errorf("code %d, err %v; want 127 and an error naming the command", code, err)
	}
}

// callerIdentitySTS answers GetCallerIdentity and records the access key and session
// token each request was signed with.
type callerIdentitySTS struct {
	*httptest.Server
	mu     sync.Mutex
	keys   []string
	tokens []string
}

var sigV4Credential = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func newCallerIdentitySTS(t *testing.T) *callerIdentitySTS {
	f := &callerIdentitySTS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		m := sigV4Credential.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || r.Form.Get("Action") != "GetCallerIdentity" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.keys = append(f.keys, m[1])
		f.tokens = append(f.tokens, r.Header.Get("X-Amz-Security-Token"))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:sts::123456789012:assumed-role/admin/awsx</Arn>
    <UserId>AROATEST:awsx</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`)
	}))
	t.Cleanup(f.Close)
	return f
}

func TestRunWithServerAWSCLI(t *testing.T) {
	aws, err := osexec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	sts := newCallerIdentitySTS(t)
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	code, out := runWithTestServer(t, []string{aws, "sts", "get-caller-identity", "--endpoint-url", sts.URL, "--output", "text"}, env)
	if code != 0 || !strings.Contains(out, "123456789012") {
		t.Fatalf("aws exited %d:\n%s", code, out)
	}
	sts.mu.Lock()
	defer sts.mu.Unlock()
	if len(sts.keys) != 1 || sts.keys[0] != "ASIATEST00000001" || sts.tokens[0] != "token-1" {
		t.Errorf("STS saw keys %q, tokens %q; want the served ASIATEST00000001/token-1", sts.keys, sts.tokens)
	}
}

func TestServerRenewWindow(t *testing.T) {
	start := time.Now()
	var (
		mu    sync.Mutex
		now   = start
		calls int
	)
	srv := newTestServer(t, func(context.Context) (creds.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		c := serverCreds(calls, 0)
		c.Expires = now.Add(10 * time.Minute)
		return c, nil
	})
	srv.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	token := serverEnvValue(srv.Env(), "AWS_CONTAINER_AUTHORIZATION_TOKEN")
	steps := []struct {
		at      time.Duration
		wantKey string
	}{
		{0, "ASIATEST00000001"},
		{4*time.Minute + 59*time.Second, "ASIATEST00000001"}, // outside the default 5m window
		{5 * time.Minute, "ASIATEST00000002"},                // at the window's edge
		{9*time.Minute + 59*time.Second, "ASIATEST00000002"},
		{10 * time.Minute, "ASIATEST00000003"},
	}
	for _, s := range steps {
		mu.Lock()
		now = start.Add(s.at)
		mu.Unlock()
		r := fetchCreds(t, srv, http.MethodGet, token)
		if r.status != http.StatusOK || r.body.AccessKeyID != s.wantKey {
			t.Errorf("at +%v: status %d, key %q; want %s", s.at, r.status, r.body.AccessKeyID, s.wantKey)
		}
	}
}
