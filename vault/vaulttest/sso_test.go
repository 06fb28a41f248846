package vaulttest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"
	"github.com/rogpeppe/go-internal/testscript"
)

const ssoTestStartURL = "https://d-1234567890.awsapps.com/start"

// ssoClock lets tests move time forward instead of sleeping through
// polling intervals and token lifetimes.
type ssoClock struct {
	mu sync.Mutex
	t  time.Time
}

func newSSOClock() *ssoClock { return &ssoClock{t: time.Now()} }

func (c *ssoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *ssoClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ssoTestClients builds real SDK clients the way awsx does, through
// config.LoadDefaultConfig and the standard endpoint environment variables,
// isolated from the host's AWS configuration.
func ssoTestClients(t *testing.T, s *SSO, opts ...func(*config.LoadOptions) error) (*ssooidc.Client, *sso.Client) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
	t.Setenv("AWS_ENDPOINT_URL_SSO_OIDC", s.URL())
	t.Setenv("AWS_ENDPOINT_URL_SSO", s.URL())
	cfg, err := config.LoadDefaultConfig(context.Background(), append([]func(*config.LoadOptions) error{config.WithRegion("eu-west-1")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return ssooidc.NewFromConfig(cfg), sso.NewFromConfig(cfg)
}

func ssoCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func ssoRegister(t *testing.T, c *ssooidc.Client, scopes ...string) *ssooidc.RegisterClientOutput {
	t.Helper()
	out, err := c.RegisterClient(context.Background(), &ssooidc.RegisterClientInput{
		ClientName: aws.String("awsx-test"), ClientType: aws.String("public"), Scopes: scopes,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ssoStartAuth(t *testing.T, c *ssooidc.Client, reg *ssooidc.RegisterClientOutput) *ssooidc.StartDeviceAuthorizationOutput {
	t.Helper()
	out, err := c.StartDeviceAuthorization(context.Background(), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ssoTestStartURL),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ssoPoll(c *ssooidc.Client, reg *ssooidc.RegisterClientOutput, dev *ssooidc.StartDeviceAuthorizationOutput) (*ssooidc.CreateTokenOutput, error) {
	return c.CreateToken(context.Background(), &ssooidc.CreateTokenInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(ssoGrantDeviceCode), DeviceCode: dev.DeviceCode,
	})
}

func ssoRefresh(c *ssooidc.Client, reg *ssooidc.RegisterClientOutput, rt *string) (*ssooidc.CreateTokenOutput, error) {
	return c.CreateToken(context.Background(), &ssooidc.CreateTokenInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String(ssoGrantRefreshToken), RefreshToken: rt,
	})
}

// ssoLogin runs a device login approved directly, for tests about what
// comes after it.
func ssoLogin(t *testing.T, s *SSO, c *ssooidc.Client, scopes ...string) (*ssooidc.RegisterClientOutput, *ssooidc.CreateTokenOutput) {
	t.Helper()
	reg := ssoRegister(t, c, scopes...)
	dev := ssoStartAuth(t, c, reg)
	if err := s.Approve(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := ssoPoll(c, reg, dev)
	if err != nil {
		t.Fatal(err)
	}
	return reg, tok
}

func ssoVisit(t *testing.T, u string) {
	t.Helper()
	resp, err := http.Get(u) // the person's browser, the only hand-made request
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("browser: GET %s: %s", u, resp.Status)
	}
}

func TestSSODeviceFlow(t *testing.T) {
	clock := newSSOClock()
	s := NewSSO(SSOOptions{Now: clock.Now})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)

	reg := ssoRegister(t, oidc, ssoScopeAccount)
	if reg.ClientSecretExpiresAt-reg.ClientIdIssuedAt < 89*24*3600 {
		t.Errorf("registration lasts %d s, want about 90 days", reg.ClientSecretExpiresAt-reg.ClientIdIssuedAt)
	}
	dev := ssoStartAuth(t, oidc, reg)
	if dev.Interval != 1 || dev.ExpiresIn != 600 {
		t.Errorf("interval %d expiresIn %d, want 1 and 600", dev.Interval, dev.ExpiresIn)
	}
	if want := s.URL() + "/device?user_code=" + *dev.UserCode; *dev.VerificationUriComplete != want {
		t.Errorf("verificationUriComplete %q, want %q", *dev.VerificationUriComplete, want)
	}

	// Not visited yet: pending however long the client waits.
	for i := 0; i < 3; i++ {
		_, err := ssoPoll(oidc, reg, dev)
		var pending *oidctypes.AuthorizationPendingException
		if !errors.As(err, &pending) {
			t.Fatalf("poll %d before the visit: %v, want AuthorizationPendingException", i, err)
		}
		clock.Add(time.Second)
	}
	// The pending polls before the visit count towards PollsBeforeApproval,
	// so the visit approves at once; a too-early poll is still slowed down.
	ssoVisit(t, *dev.VerificationUriComplete)
	clock.Add(-900 * time.Millisecond)
	var slow *oidctypes.SlowDownException
	if _, err := ssoPoll(oidc, reg, dev); !errors.As(err, &slow) {
		t.Fatalf("poll 100 ms after the previous: %v, want SlowDownException", err)
	}
	// The slow_down added 5 s to the interval for good.
	clock.Add(5 * time.Second)
	if _, err := ssoPoll(oidc, reg, dev); !errors.As(err, &slow) {
		t.Fatalf("poll 5 s after a slow_down of a 1 s interval: %v, want SlowDownException", err)
	}
	clock.Add(11 * time.Second)
	if _, err := ssoPoll(oidc, reg, dev); err != nil {
		t.Fatalf("poll after the visit with 3 pending polls behind: %v", err)
	}
	if n := s.Count("SlowDown"); n != 2 {
		t.Errorf("SlowDown count %d, want 2", n)
	}
}

// TestSSODeviceFlowApproval follows the normal path: the browser visit,
// then the polls a person's click takes, with a too-fast poll on the way.
func TestSSODeviceFlowApproval(t *testing.T) {
	clock := newSSOClock()
	s := NewSSO(SSOOptions{Now: clock.Now})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg := ssoRegister(t, oidc, ssoScopeAccount)
	dev := ssoStartAuth(t, oidc, reg)
	ssoVisit(t, *dev.VerificationUriComplete)

	steps := []struct {
		wait time.Duration
		want string // error code, "" for a token
	}{
		{0, "AuthorizationPendingException"}, // the first poll may be immediate
		{500 * time.Millisecond, "SlowDownException"},
		{time.Second, "SlowDownException"},                  // the interval is 6 s now (RFC 8628)...
		{11 * time.Second, "AuthorizationPendingException"}, // ...and then 11 s
		{11 * time.Second, ""},
	}
	var tok *ssooidc.CreateTokenOutput
	for i, st := range steps {
		clock.Add(st.wait)
		out, err := ssoPoll(oidc, reg, dev)
		if got := ssoCode(err); got != st.want || (st.want == "" && err != nil) {
			t.Fatalf("poll %d: err %v, want %q", i, err, st.want)
		}
		tok = out
	}
	if aws.ToString(tok.TokenType) != "Bearer" || tok.ExpiresIn != 8*3600 || aws.ToString(tok.AccessToken) == "" {
		t.Errorf("token %+v", tok)
	}
	if aws.ToString(tok.RefreshToken) == "" {
		t.Error("no refresh token for a client registered with sso:account:access")
	}
	if got := s.Count("CreateToken"); got != 5 {
		t.Errorf("CreateToken count %d, want 5", got)
	}
	if got := s.Count("SlowDown"); got != 2 {
		t.Errorf("SlowDown count %d, want 2", got)
	}
	if got := s.BrowserVisits(); got != 1 {
		t.Errorf("browser visits %d, want 1", got)
	}
	// A device code is good for one token.
	clock.Add(time.Second)
	if _, err := ssoPoll(oidc, reg, dev); ssoCode(err) != "InvalidGrantException" {
		t.Errorf("reused device code: %v, want InvalidGrantException", err)
	}
}

func TestSSOSlowDownModeled(t *testing.T) {
	clock := newSSOClock()
	s := NewSSO(SSOOptions{Now: clock.Now, Interval: 5})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg := ssoRegister(t, oidc)
	dev := ssoStartAuth(t, oidc, reg)
	if dev.Interval != 5 {
		t.Fatalf("interval %d, want 5", dev.Interval)
	}
	ssoPoll(oidc, reg, dev)
	clock.Add(4 * time.Second)
	_, err := ssoPoll(oidc, reg, dev)
	var slow *oidctypes.SlowDownException
	if !errors.As(err, &slow) {
		t.Fatalf("poll after 4 s of a 5 s interval: %v, want SlowDownException", err)
	}
}

// A loaded service slows clients down however well they keep the
// interval; the interval then grows by 5 s per slow_down.
func TestSSOSlowDownPolls(t *testing.T) {
	clock := newSSOClock()
	s := NewSSO(SSOOptions{Now: clock.Now, SlowDownPolls: 1, PollsBeforeApproval: -1})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg := ssoRegister(t, oidc)
	dev := ssoStartAuth(t, oidc, reg)
	s.Approve(aws.ToString(dev.UserCode))
	clock.Add(time.Second)
	if _, err := ssoPoll(oidc, reg, dev); ssoCode(err) != "SlowDownException" {
		t.Fatalf("first poll: %v, want SlowDownException", err)
	}
	clock.Add(5 * time.Second)
	if _, err := ssoPoll(oidc, reg, dev); ssoCode(err) != "SlowDownException" {
		t.Fatalf("poll 5 s later: %v, want SlowDownException (the interval is 6 s)", err)
	}
	clock.Add(11 * time.Second)
	if _, err := ssoPoll(oidc, reg, dev); err != nil {
		t.Fatalf("poll 11 s later: %v", err)
	}
	if n := s.Count("SlowDown"); n != 2 {
		t.Errorf("SlowDown count %d, want 2", n)
	}
}

func TestSSODeviceCodeExpiresAndDeny(t *testing.T) {
	clock := newSSOClock()
	s := NewSSO(SSOOptions{Now: clock.Now, PollsBeforeApproval: -1})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg := ssoRegister(t, oidc)

	dev := ssoStartAuth(t, oidc, reg)
	clock.Add(601 * time.Second)
	ssoVisit(t, *dev.VerificationUriComplete)
	if _, err := ssoPoll(oidc, reg, dev); ssoCode(err) != "ExpiredTokenException" {
		t.Errorf("expired device code: %v, want ExpiredTokenException", err)
	}

	dev = ssoStartAuth(t, oidc, reg)
	if err := s.Deny(*dev.UserCode); err != nil {
		t.Fatal(err)
	}
	_, err := ssoPoll(oidc, reg, dev)
	var denied *oidctypes.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("denied: %v, want AccessDeniedException", err)
	}
	// A device code belongs to the client that started it.
	dev = ssoStartAuth(t, oidc, reg)
	s.Approve(*dev.UserCode)
	if _, err := ssoPoll(oidc, ssoRegister(t, oidc), dev); ssoCode(err) != "InvalidGrantException" {
		t.Errorf("another client's device code: %v, want InvalidGrantException", err)
	}
	if err := s.Approve("NOPE-NOPE"); err == nil {
		t.Error("Approve of an unknown user code succeeded")
	}
}

func TestSSONoRefreshTokenWithoutScope(t *testing.T) {
	s := NewSSO(SSOOptions{})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	for _, scopes := range [][]string{nil, {"sso-portal:*"}} {
		_, tok := ssoLogin(t, s, oidc, scopes...)
		if tok.RefreshToken != nil {
			t.Errorf("scopes %v: got a refresh token, AWS gives none", scopes)
		}
	}
	_, tok := ssoLogin(t, s, oidc, "sso-portal:*", ssoScopeAccount)
	if tok.RefreshToken == nil {
		t.Error("scopes with sso:account:access: no refresh token")
	}
	if _, err := oidc.RegisterClient(context.Background(), &ssooidc.RegisterClientInput{
		ClientName: aws.String("x"), ClientType: aws.String("public"), Scopes: []string{"bogus"},
	}); ssoCode(err) != "InvalidScopeException" {
		t.Errorf("bad scope: %v, want InvalidScopeException", err)
	}
}

func TestSSORefreshRotation(t *testing.T) {
	s := NewSSO(SSOOptions{})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s)
	reg, tok := ssoLogin(t, s, oidc, ssoScopeAccount)

	next, err := ssoRefresh(oidc, reg, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(next.AccessToken) == aws.ToString(tok.AccessToken) || next.RefreshToken == nil ||
		*next.RefreshToken == *tok.RefreshToken {
		t.Errorf("refresh did not rotate: %+v", next)
	}
	if _, err := portal.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: next.AccessToken}); err != nil {
		t.Errorf("refreshed access token refused: %v", err)
	}
	if _, err := ssoRefresh(oidc, reg, tok.RefreshToken); ssoCode(err) != "InvalidGrantException" {
		t.Errorf("spent refresh token: %v, want InvalidGrantException", err)
	}
	other := ssoRegister(t, oidc, ssoScopeAccount)
	if _, err := ssoRefresh(oidc, other, next.RefreshToken); ssoCode(err) != "InvalidGrantException" {
		t.Errorf("refresh with another client: %v, want InvalidGrantException", err)
	}
	s.RevokeRefreshTokens()
	var grant *oidctypes.InvalidGrantException
	if _, err := ssoRefresh(oidc, reg, next.RefreshToken); !errors.As(err, &grant) {
		t.Errorf("revoked refresh token: %v, want InvalidGrantException", err)
	}
	if got, want := s.Count("Refresh"), 4; got != want {
		t.Errorf("Refresh count %d, want %d", got, want)
	}
	if got := s.Count("CreateToken"); got != 1 {
		t.Errorf("CreateToken count %d, want 1 (refreshes are counted apart)", got)
	}
}

func TestSSOExpiredClient(t *testing.T) {
	s := NewSSO(SSOOptions{})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg, tok := ssoLogin(t, s, oidc, ssoScopeAccount)
	s.ExpireClients()
	var inv *oidctypes.InvalidClientException
	if _, err := ssoRefresh(oidc, reg, tok.RefreshToken); !errors.As(err, &inv) {
		t.Errorf("refresh with an expired registration: %v, want InvalidClientException", err)
	}

	expired := NewSSO(SSOOptions{ClientSecretTTL: -time.Hour})
	defer expired.Close()
	oidc, _ = ssoTestClients(t, expired)
	reg = ssoRegister(t, oidc, ssoScopeAccount)
	if reg.ClientSecretExpiresAt > time.Now().Unix() {
		t.Errorf("clientSecretExpiresAt %d is in the future", reg.ClientSecretExpiresAt)
	}
	_, err := oidc.StartDeviceAuthorization(context.Background(), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ssoTestStartURL),
	})
	if ssoCode(err) != "InvalidClientException" {
		t.Errorf("StartDeviceAuthorization with an expired registration: %v, want InvalidClientException", err)
	}
	_, err = oidc.CreateToken(context.Background(), &ssooidc.CreateTokenInput{
		ClientId: reg.ClientId, ClientSecret: aws.String("wrong"),
		GrantType: aws.String(ssoGrantDeviceCode), DeviceCode: aws.String("x"),
	})
	if ssoCode(err) != "InvalidClientException" {
		t.Errorf("wrong secret: %v, want InvalidClientException", err)
	}
}

func TestSSOStartURLChecked(t *testing.T) {
	s := NewSSO(SSOOptions{StartURL: "https://d-0000000000.awsapps.com/start"})
	defer s.Close()
	oidc, _ := ssoTestClients(t, s)
	reg := ssoRegister(t, oidc)
	_, err := oidc.StartDeviceAuthorization(context.Background(), &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ssoTestStartURL),
	})
	if ssoCode(err) != "InvalidRequestException" {
		t.Errorf("wrong start URL: %v, want InvalidRequestException", err)
	}
}

func TestSSOGetRoleCredentials(t *testing.T) {
	clock := newSSOClock()
	var hooked []string
	var mu sync.Mutex
	s := NewSSO(SSOOptions{
		Now:      clock.Now,
		Accounts: SSODefaultAccounts(3),
		OnRoleCredentials: func(akid string) {
			mu.Lock()
			hooked = append(hooked, akid)
			mu.Unlock()
		},
	})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s)
	_, tok := ssoLogin(t, s, oidc, ssoScopeAccount)
	ctx := context.Background()

	out, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: tok.AccessToken, AccountId: aws.String("111111111111"), RoleName: aws.String("AdministratorAccess"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rc := out.RoleCredentials
	akid := aws.ToString(rc.AccessKeyId)
	if !strings.HasPrefix(akid, "ASIA") || len(akid) != 20 || aws.ToString(rc.SessionToken) == "" || aws.ToString(rc.SecretAccessKey) == "" {
		t.Errorf("credentials %+v", rc)
	}
	// Milliseconds: read as seconds this would be tens of thousands of years away.
	if d := time.UnixMilli(rc.Expiration).Sub(clock.Now()); d <= time.Hour-time.Millisecond || d > time.Hour {
		t.Errorf("expiration %d ms is %v after now, want 1h", rc.Expiration, d)
	}
	if got, ok := s.RoleSession(akid); !ok || got != (SSORoleTarget{"111111111111", "AdministratorAccess"}) {
		t.Errorf("RoleSession(%s) = %v, %v", akid, got, ok)
	}
	mu.Lock()
	if len(hooked) != 1 || hooked[0] != akid {
		t.Errorf("OnRoleCredentials got %v, want [%s]", hooked, akid)
	}
	mu.Unlock()

	for _, tc := range []struct{ account, role string }{
		{"111111111111", "Nope"}, {"999999999999", "AdministratorAccess"},
	} {
		_, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
			AccessToken: tok.AccessToken, AccountId: aws.String(tc.account), RoleName: aws.String(tc.role),
		})
		if ssoCode(err) != "ForbiddenException" {
			t.Errorf("%s/%s: %v, want ForbiddenException", tc.account, tc.role, err)
		}
	}

	var unauth *ssotypes.UnauthorizedException
	_, err = portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String("bogus"), AccountId: aws.String("111111111111"), RoleName: aws.String("ReadOnly"),
	})
	if !errors.As(err, &unauth) {
		t.Errorf("bogus token: %v, want UnauthorizedException", err)
	}
	clock.Add(8*time.Hour + time.Second)
	_, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	if !errors.As(err, &unauth) {
		t.Errorf("token past its 8 hours: %v, want UnauthorizedException", err)
	}
	if got := s.Count("GetRoleCredentials"); got != 4 {
		t.Errorf("GetRoleCredentials count %d, want 4", got)
	}
}

func TestSSOExpireAccessTokens(t *testing.T) {
	s := NewSSO(SSOOptions{Accounts: SSODefaultAccounts(3)})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s)
	reg, tok := ssoLogin(t, s, oidc, ssoScopeAccount)
	s.ExpireAccessTokens()
	if _, err := portal.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: tok.AccessToken}); ssoCode(err) != "UnauthorizedException" {
		t.Fatalf("expired token: %v, want UnauthorizedException", err)
	}
	// Tokens issued afterwards work: that is how a refresh recovers.
	next, err := ssoRefresh(oidc, reg, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := portal.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: next.AccessToken}); err != nil {
		t.Errorf("fresh token: %v", err)
	}
}

func ssoListAll(ctx context.Context, portal *sso.Client, token *string) ([]string, int, error) {
	var ids []string
	pages := 0
	p := sso.NewListAccountsPaginator(portal, &sso.ListAccountsInput{AccessToken: token})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return ids, pages, err
		}
		pages++
		for _, a := range out.AccountList {
			ids = append(ids, aws.ToString(a.AccountId))
		}
	}
	return ids, pages, nil
}

func TestSSOPagination(t *testing.T) {
	accounts := SSODefaultAccounts(120)
	s := NewSSO(SSOOptions{Accounts: accounts})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s)
	_, tok := ssoLogin(t, s, oidc)
	ctx := context.Background()

	ids, pages, err := ssoListAll(ctx, portal, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if pages != 6 || s.Count("ListAccounts") != 6 {
		t.Errorf("%d pages, %d requests; want 6 pages of 20", pages, s.Count("ListAccounts"))
	}
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for _, a := range accounts {
		if seen[a.ID] != 1 {
			t.Errorf("account %s listed %d times", a.ID, seen[a.ID])
		}
	}
	if len(ids) != 120 {
		t.Errorf("%d accounts listed, want 120", len(ids))
	}

	// max_result can make pages smaller, never larger than the page size.
	out, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(100)})
	if err != nil || len(out.AccountList) != 20 {
		t.Errorf("max_result=100: %v, %d accounts; want 20", err, len(out.AccountList))
	}
	out, err = portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(7)})
	if err != nil || len(out.AccountList) != 7 {
		t.Errorf("max_result=7: %v, %d accounts; want 7", err, len(out.AccountList))
	}
	if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, MaxResults: aws.Int32(101)}); ssoCode(err) != "InvalidRequestException" {
		t.Errorf("max_result=101: %v, want InvalidRequestException", err)
	}
	if _, err := portal.ListAccounts(ctx, &sso.ListAccountsInput{AccessToken: tok.AccessToken, NextToken: aws.String("garbage")}); ssoCode(err) != "InvalidRequestException" {
		t.Errorf("bad next token: %v, want InvalidRequestException", err)
	}

	var roles []string
	rp := sso.NewListAccountRolesPaginator(portal, &sso.ListAccountRolesInput{
		AccessToken: tok.AccessToken, AccountId: aws.String("111111111111"),
	}, func(o *sso.ListAccountRolesPaginatorOptions) { o.Limit = 1 })
	rolePages := 0
	for rp.HasMorePages() {
		out, err := rp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rolePages++
		for _, r := range out.RoleList {
			if aws.ToString(r.AccountId) != "111111111111" {
				t.Errorf("role %+v of another account", r)
			}
			roles = append(roles, aws.ToString(r.RoleName))
		}
	}
	if rolePages != 2 || strings.Join(roles, ",") != "AdministratorAccess,ReadOnly" {
		t.Errorf("roles %v in %d pages, want both in 2", roles, rolePages)
	}
}

func TestSSOListFaults(t *testing.T) {
	s := NewSSO(SSOOptions{Accounts: SSODefaultAccounts(120)})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s)
	_, tok := ssoLogin(t, s, oidc)
	ctx := context.Background()

	// The default retryer absorbs one 500 and one 429.
	s.FailListPage(2)
	s.Throttle(1)
	ids, _, err := ssoListAll(ctx, portal, tok.AccessToken)
	if err != nil || len(ids) != 120 {
		t.Fatalf("with one failure and one throttle: %v, %d accounts", err, len(ids))
	}
	if got := s.Count("ListAccounts"); got != 8 {
		t.Errorf("ListAccounts count %d, want 6 pages + 2 retries", got)
	}

	// Without retries the faults reach the caller.
	_, noRetry := ssoTestClients(t, s, config.WithRetryMaxAttempts(1))
	s.Throttle(1)
	_, _, err = ssoListAll(ctx, noRetry, tok.AccessToken)
	var tmr *ssotypes.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("throttled: %v, want TooManyRequestsException", err)
	}
	s.FailListPage(3)
	ids, pages, err := ssoListAll(ctx, noRetry, tok.AccessToken)
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 || pages != 2 || len(ids) != 40 {
		t.Errorf("failed page 3: %v after %d pages; want HTTP 500 after 2", err, pages)
	}
}

func TestSSODown(t *testing.T) {
	s := NewSSO(SSOOptions{Accounts: SSODefaultAccounts(3)})
	defer s.Close()
	oidc, portal := ssoTestClients(t, s, config.WithRetryMaxAttempts(1))
	_, tok := ssoLogin(t, s, oidc)
	s.Down()
	_, err := portal.ListAccounts(context.Background(), &sso.ListAccountsInput{AccessToken: tok.AccessToken})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("after Down: %v, want connection refused", err)
	}
}

func TestSSOCountUnknownOpPanics(t *testing.T) {
	s := NewSSO(SSOOptions{})
	defer s.Close()
	defer func() {
		if recover() == nil {
			t.Error("Count of a misspelt operation did not panic")
		}
	}()
	s.Count("ListAcounts")
}

// TestSSOScript drives the testscript commands, including a BROWSER program
// started as a separate process, the way awsx opens the verification URL.
func TestSSOScript(t *testing.T) {
	dir := t.TempDir()
	script := `
sso start accounts=5 pollsBeforeApproval=1
sso browser browser
ssologin
sso count RegisterClient 1
sso count CreateToken 2
! sso count CreateToken 3
sso visits 1
exists browser.log
grep '/device\?user_code=' browser.log
sso throttle 1
sso fail-list-page 1
sso count ListAccounts 0
sso down
`
	if err := os.WriteFile(filepath.Join(dir, "sso.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmds := SSOCommands()
	cmds["ssologin"] = ssoScriptLogin
	testscript.Run(t, testscript.Params{Dir: dir, Cmds: cmds})
}

// ssoScriptLogin is a device login as awsx performs it: it runs $BROWSER
// on the verification URL and polls at the announced interval.
func ssoScriptLogin(ts *testscript.TestScript, neg bool, args []string) {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"))
	ts.Check(err)
	oidc := ssooidc.NewFromConfig(cfg, func(o *ssooidc.Options) {
		o.BaseEndpoint = aws.String(ts.Getenv("AWS_ENDPOINT_URL_SSO_OIDC"))
	})
	reg, err := oidc.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String("awsx"), ClientType: aws.String("public"), Scopes: []string{ssoScopeAccount},
	})
	ts.Check(err)
	dev, err := oidc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(ssoTestStartURL),
	})
	ts.Check(err)
	ts.Check(ts.Exec(ts.Getenv("BROWSER"), *dev.VerificationUriComplete))
	for i := 0; i < 5; i++ {
		tok, err := oidc.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String(ssoGrantDeviceCode), DeviceCode: dev.DeviceCode,
		})
		if err == nil {
			if tok.RefreshToken == nil {
				ts.Fatalf("no refresh token")
			}
			return
		}
		if ssoCode(err) != "AuthorizationPendingException" {
			ts.Fatalf("poll %d: %v", i, err)
		}
		time.Sleep(time.Duration(dev.Interval) * time.Second)
	}
	ts.Fatalf("not approved after 5 polls")
}

// The script's STS front holds the SSO portal's role credentials to the
// role-chaining limit whichever fake the script starts first.
func TestSSOScriptRoleKeysAnyOrder(t *testing.T) {
	dir := t.TempDir()
	for name, starts := range map[string]string{"sso-first": "sso start\nsts start\n", "sts-first": "sts start\nsso start\n"} {
		script := starts + "ssorole-assume 7200 refused\nssorole-assume 3600 ok\n"
		if err := os.WriteFile(filepath.Join(dir, name+".txtar"), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmds := Commands()
	for k, v := range SSOCommands() {
		cmds[k] = v
	}
	// ssorole-assume SECS ok|refused: role credentials minted by the SSO
	// fake assume a role for SECS seconds through the front.
	cmds["ssorole-assume"] = func(ts *testscript.TestScript, neg bool, args []string) {
		s := ssoFor(ts.Getenv("WORK"))
		s.mu.Lock()
		s.access["aoa-test"] = &ssoAccess{expires: s.opts.Now().Add(time.Hour)}
		s.mu.Unlock()
		ctx := context.Background()
		portal := sso.New(sso.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.URL())})
		out, err := portal.GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
			AccessToken: aws.String("aoa-test"), AccountId: aws.String("111111111111"), RoleName: aws.String("AdministratorAccess"),
		})
		ts.Check(err)
		c := out.RoleCredentials
		secs, err := strconv.Atoi(args[0])
		ts.Check(err)
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("eu-west-1"),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))),
			config.WithRetryMaxAttempts(1))
		ts.Check(err)
		client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(ts.Getenv("AWS_ENDPOINT_URL_STS")) })
		_, err = client.AssumeRole(context.Background(), &sts.AssumeRoleInput{
			RoleArn: aws.String(childRole), RoleSessionName: aws.String("vaulttest"), DurationSeconds: aws.Int32(int32(secs)),
		})
		if (err == nil) != (args[1] == "ok") {
			ts.Fatalf("AssumeRole for %d s with SSO role keys: %v, want %s", secs, err, args[1])
		}
	}
	testscript.Run(t, testscript.Params{Dir: dir, Setup: Setup, Cmds: cmds})
}
