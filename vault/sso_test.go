package vault

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/vault/vaulttest"
)

const testStartURL = "https://corp.awsapps.com/start"

const testSSOConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile bastion]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess

[profile legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[sso-session portal-only]
sso_start_url = https://portal.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso-portal:*

[profile old-scopes]
sso_session = portal-only
sso_account_id = 111111111111
sso_role_name = ReadOnly
`

// syncBuffer is a Stderr that the spinner's goroutine may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fastClock runs ten times faster than real time, so that the fake's
// intervals and lifetimes pass quickly while awsx's polling unit is
// shortened to match.
func fastClock() func() time.Time {
	base := time.Now()
	return func() time.Time { return base.Add(10 * time.Since(base)) }
}

// ssoTestVault returns a vault over a file keyring and the config text,
// with the SDK pointed at the fake and awsx's polling ten times faster.
func ssoTestVault(t *testing.T, s *vaulttest.SSO, config string) (*Vault, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", path)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_ENDPOINT_URL_SSO", s.URL())
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", s.URL())
	old := pollUnit
	pollUnit = 100 * time.Millisecond
	t.Cleanup(func() { pollUnit = old })
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	v := &Vault{
		Config:  cfg,
		Keyring: NewKeyring(KeyringOptions{Backend: "file", FileDir: filepath.Join(dir, "keys"), Passphrase: "test"}),
		Locker:  Locker{Dir: filepath.Join(dir, "locks")},
		Env:     func(string) string { return "" },
		Stderr:  stderr,
		MinTTL:  DefaultMinTTL,
		// The browser: opening the page is the person's consent.
		OpenURL: visit,
	}
	return v, stderr
}

func visit(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newFake(t *testing.T, opts vaulttest.SSOOptions) *vaulttest.SSO {
	t.Helper()
	if opts.Accounts == nil {
		opts.Accounts = vaulttest.SSODefaultAccounts(3)
	}
	if opts.Now == nil {
		opts.Now = fastClock()
	}
	s := vaulttest.NewSSO(opts)
	t.Cleanup(s.Close)
	return s
}

func TestSSODeviceLoginThenCache(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, stderr := ssoTestVault(t, s, testSSOConfig)
	ctx := context.Background()

	c, err := v.Credentials(ctx, "bastion", Options{Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.AccountID != "111111111111" || !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.Expires.IsZero() {
		t.Fatalf("credentials = %+v", c)
	}
	if got, ok := s.RoleSession(c.AccessKeyID); !ok || got.RoleName != "AdministratorAccess" {
		t.Fatalf("role session %+v %v", got, ok)
	}
	out := stderr.String()
	for _, want := range []string{"bastion: sign in to " + testStartURL, "waiting for the approval of code", "signed in to " + testStartURL} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// The legacy inline profile of the same start URL shares the login.
	if _, err := v.Credentials(ctx, "legacy", Options{}); err != nil {
		t.Fatal(err)
	}
	if n := s.Count("StartDeviceAuthorization"); n != 1 {
		t.Fatalf("StartDeviceAuthorization = %d, want 1", n)
	}
	if n := s.Count("RegisterClient"); n != 1 {
		t.Fatalf("RegisterClient = %d, want 1", n)
	}
	if n := s.Count("SlowDown"); n != 0 {
		t.Fatalf("%d polls answered slow_down, want none", n)
	}
}

func TestSSONonInteractiveNamesTheLogin(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, testSSOConfig+`
[profile prod]
source_profile = bastion
role_arn = arn:aws:iam::222222222222:role/AssumableAdmin
`)
	opened := 0
	v.OpenURL = func(string) error { opened++; return nil }
	_, err := v.Credentials(context.Background(), "prod", Options{})
	var le *LoginRequiredError
	if !errors.As(err, &le) || le.Login != "bastion" || le.Profile != "prod" {
		t.Fatalf("err = %v, want a LoginRequiredError for bastion", err)
	}
	if got, want := err.Error(), "prod needs 'awsx login bastion' (not logged in to "+testStartURL+")"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if opened != 0 || s.Count("RegisterClient") != 0 || s.Count("StartDeviceAuthorization") != 0 {
		t.Fatalf("a terminal-less command started a login")
	}
}

func TestSSORefreshWhenExpiredByClock(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, testSSOConfig)
	ctx := context.Background()
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	// Nine hours on: the access token (8h) and the role session (1h) are
	// over by awsx's clock; the refresh token renews without a browser.
	v.Now = func() time.Time { return time.Now().Add(9 * time.Hour) }
	v.OpenURL = func(string) error { t.Error("a browser opened for a refresh"); return nil }
	if _, err := v.Credentials(ctx, "bastion", Options{}); err != nil {
		t.Fatal(err)
	}
	if s.Count("Refresh") != 1 || s.Count("StartDeviceAuthorization") != 1 {
		t.Fatalf("Refresh = %d, StartDeviceAuthorization = %d; want 1, 1", s.Count("Refresh"), s.Count("StartDeviceAuthorization"))
	}
	var st storedSSO
	if ok, err := v.Keyring.get(ssoItem(testStartURL), &st); !ok || err != nil {
		t.Fatalf("sso item: %v %v", ok, err)
	}
	if !st.AccessExpires.After(time.Now().Add(16 * time.Hour)) {
		t.Fatalf("renewed token expires %s, want 8h after the refresh", st.AccessExpires)
	}
}

func TestSSONoRefreshTokenWithoutAccountScope(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, testSSOConfig)
	ctx := context.Background()
	if _, err := v.Credentials(ctx, "old-scopes", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	var st storedSSO
	v.Keyring.get(ssoItem("https://portal.awsapps.com/start"), &st)
	if st.RefreshToken != "" || strings.Join(st.Scopes, ",") != "sso-portal:*" {
		t.Fatalf("stored %q scopes, refresh token %v", st.Scopes, st.RefreshToken != "")
	}
	v.Now = func() time.Time { return time.Now().Add(9 * time.Hour) }
	_, err := v.Credentials(ctx, "old-scopes", Options{})
	var le *LoginRequiredError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "has ended") {
		t.Fatalf("err = %v, want a login required because the session ended", err)
	}
}

func TestSSOPollingOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    vaulttest.SSOOptions
		browser func(s *vaulttest.SSO) func(string) error
		want    string
		// polls and slowDowns are the CreateToken polls and the
		// SlowDownExceptions among them that the fake must have seen;
		// -1 does not check.
		polls, slowDowns int
	}{
		{
			name: "denied",
			browser: func(s *vaulttest.SSO) func(string) error {
				return func(string) error { return s.Deny(s.LastUserCode()) }
			},
			want:  `profile "bastion": the SSO sign-in to https://corp.awsapps.com/start was denied in the browser`,
			polls: 1, slowDowns: 0,
		},
		{
			// The fake's clock runs four times faster than awsx's polling
			// unit, so the code expires at the fake well before awsx's own
			// deadline: one poll answered ExpiredTokenException, and awsx
			// stops there instead of polling on to its deadline.
			name: "code expires",
			opts: vaulttest.SSOOptions{DeviceCodeExpiresIn: 3, Now: func() func() time.Time {
				base := time.Now()
				return func() time.Time { return base.Add(40 * time.Since(base)) }
			}()},
			browser: func(*vaulttest.SSO) func(string) error { return func(string) error { return nil } },
			want:    `profile "bastion": the SSO sign-in code was not approved within`,
			polls:   1, slowDowns: 0,
		},
		{
			// A loaded service slows awsx down: awsx must add 5 s to its
			// interval, as the fake does, or be slowed down again and
			// again until the code expires.
			name:    "slow down",
			opts:    vaulttest.SSOOptions{SlowDownPolls: 1, PollsBeforeApproval: -1},
			browser: func(*vaulttest.SSO) func(string) error { return visit },
			polls:   2, slowDowns: 1,
		},
		{
			// The network goes while the person approves: the SDK retries
			// each poll three times, and awsx goes on polling after that,
			// for the code is still good.
			name:    "network blip",
			opts:    vaulttest.SSOOptions{DroppedPolls: 4},
			browser: func(*vaulttest.SSO) func(string) error { return visit },
			polls:   -1, slowDowns: 0,
		},
		{
			// awsx keeps the announced interval: the fake slows down any
			// poll that comes earlier.
			name:    "interval",
			opts:    vaulttest.SSOOptions{Interval: 3},
			browser: func(*vaulttest.SSO) func(string) error { return visit },
			polls:   3, slowDowns: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t, tc.opts)
			v, _ := ssoTestVault(t, s, testSSOConfig)
			v.OpenURL = tc.browser(s)
			_, err := v.Credentials(context.Background(), "bastion", Options{Interactive: true})
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.want != "" {
				if has, _ := v.Keyring.has(ssoItem(testStartURL)); has {
					t.Fatal("a failed login stored an SSO item")
				}
			}
			if n := s.Count("CreateToken"); tc.polls >= 0 && n != tc.polls {
				t.Errorf("%d polls, want %d", n, tc.polls)
			}
			if n := s.Count("SlowDown"); n != tc.slowDowns {
				t.Errorf("%d polls answered slow_down, want %d", n, tc.slowDowns)
			}
		})
	}
}

func TestSSOInterruptStoresNothing(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, stderr := ssoTestVault(t, s, testSSOConfig)
	v.Terminal = true
	ctx, cancel := context.WithCancel(context.Background())
	v.OpenURL = func(string) error {
		time.AfterFunc(300*time.Millisecond, cancel)
		return errors.New("no display")
	}
	_, err := v.Credentials(ctx, "bastion", Options{Interactive: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if has, _ := v.Keyring.has(ssoItem(testStartURL)); has {
		t.Fatal("an interrupted login stored an SSO item")
	}
	out := stderr.String()
	// No browser: the URL is printed; on a terminal a spinner shows the
	// wait and is cleared at the end.
	for _, want := range []string{"open this URL and check that it shows the code", "/device?user_code=", "\r\033[K⠋ waiting for the approval of code"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("the spinner is not cleared: %q", out)
	}
}

func TestSSOExpiredClientRegistersAgain(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, testSSOConfig)
	ctx := context.Background()
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	s.ExpireClients()
	s.ExpireAccessTokens()
	v.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if _, err := v.Credentials(ctx, "bastion", Options{}); err == nil {
		t.Fatal("an expired client renewed its token")
	}
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	if n := s.Count("RegisterClient"); n != 2 {
		t.Fatalf("RegisterClient = %d, want 2", n)
	}
}

func TestSSOProfileErrors(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile norole]
sso_session = corp
sso_account_id = 111111111111
`)
	_, err := v.Credentials(context.Background(), "norole", Options{})
	if err == nil || !strings.Contains(err.Error(), `profile "norole": an SSO profile needs sso_account_id and sso_role_name`) {
		t.Fatalf("err = %v", err)
	}
}

// A refresh token the service refuses is dropped from the keyring: the
// terminal-less commands after the first (a hook at every prompt) fail at
// once, without another CreateToken that is bound to fail.
func TestSSORevokedRefreshTokenIsForgotten(t *testing.T) {
	s := newFake(t, vaulttest.SSOOptions{})
	v, _ := ssoTestVault(t, s, testSSOConfig)
	ctx := context.Background()
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true}); err != nil {
		t.Fatal(err)
	}
	s.RevokeRefreshTokens()
	v.Now = func() time.Time { return time.Now().Add(9 * time.Hour) }
	for i := range 3 {
		_, err := v.Credentials(ctx, "bastion", Options{})
		var le *LoginRequiredError
		if !errors.As(err, &le) {
			t.Fatalf("run %d: err = %v, want a LoginRequiredError", i, err)
		}
	}
	if n := s.Count("Refresh"); n != 1 {
		t.Errorf("CreateToken with the refresh token %d times, want once", n)
	}
	var st storedSSO
	if ok, err := v.Keyring.get(ssoItem(testStartURL), &st); !ok || err != nil || st.RefreshToken != "" || st.ClientID == "" {
		t.Errorf("stored %v %v: refresh token kept %v, client %q; want it dropped and the client kept", ok, err, st.RefreshToken != "", st.ClientID)
	}
	// A login then needs no new registration.
	v.Now = nil
	s.ExpireAccessTokens()
	if _, err := v.Credentials(ctx, "bastion", Options{Interactive: true, Login: true}); err != nil {
		t.Fatal(err)
	}
	if s.Count("RegisterClient") != 1 || s.Count("StartDeviceAuthorization") != 2 {
		t.Errorf("RegisterClient %d, StartDeviceAuthorization %d; want 1, 2", s.Count("RegisterClient"), s.Count("StartDeviceAuthorization"))
	}
}
