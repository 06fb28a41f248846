package vault

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
)

// DefaultSSOScopes are the scopes awsx registers its SSO OIDC client with
// when sso_registration_scopes does not say: only with sso:account:access
// does CreateToken return a refresh token, which spares users a browser
// login every morning.
var DefaultSSOScopes = []string{"sso:account:access"}

const (
	ssoClientName     = "awsx"
	grantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	grantRefreshToken = "refresh_token"
	// tokenMargin is how long before its expiry an access token is no
	// longer used: it only has to outlive one portal call.
	tokenMargin = time.Minute
	// clientMargin is how long a client registration must still hold to
	// start a device flow with it: the flow lasts ten minutes at most.
	clientMargin = 15 * time.Minute
)

// pollUnit is the unit of the device flow's polling interval: a second,
// as RFC 8628 says; tests shorten it.
var pollUnit = time.Second

// storedSSO is the keyring item sso/START_URL: the SSO OIDC client
// registration and the tokens of one SSO session, shared by every profile
// that uses that start URL.
type storedSSO struct {
	StartURL      string
	Region        string
	Scopes        []string
	ClientID      string
	ClientSecret  string
	ClientExpires time.Time
	AccessToken   string
	AccessExpires time.Time
	RefreshToken  string
}

// ssoSession is an SSO login as awsx needs it: where to sign in, and who
// needs it, for messages and for the command that fixes a missing login.
type ssoSession struct {
	login    string   // the profile to name in `awsx login PROFILE`
	startURL string   // sso_start_url
	region   string   // sso_region
	scopes   []string // sso_registration_scopes
	profile  *Profile // the profile whose endpoint settings apply; may be nil
}

func sessionOf(p *Profile) ssoSession {
	scopes := p.SSOScopes
	if len(scopes) == 0 {
		scopes = DefaultSSOScopes
	}
	return ssoSession{login: p.Name, startURL: p.SSOStartURL, region: p.SSORegion, scopes: scopes, profile: p}
}

// ssoLink resolves an IAM Identity Center profile: the permission set's
// role credentials from the SSO portal, fetched with the SSO session's
// access token and cached like every other session. They are role
// credentials, so a role assumed with them is chained.
//
// With o.Login (awsx login, of this profile or of one that goes through
// it) the cache is passed by: cached role credentials say nothing of the
// SSO session, and login is there to make sure that holds, renewing it
// or signing in again, before it fetches fresh role credentials.
func (v *Vault) ssoLink(p *Profile, o Options) (link, error) {
	if err := v.checkSSOProfile(p); err != nil {
		return link{}, err
	}
	return link{prov: v.cachedTop(p, &ssoRoleProvider{v: v, p: p, o: o}, o, o.Login), role: true}, nil
}

func (v *Vault) checkSSOProfile(p *Profile) error {
	switch {
	case p.SSOStartURL == "":
		return fmt.Errorf("profile %q: sso_account_id and sso_role_name need sso_session (or sso_start_url) in %s", p.Name, v.Config.Path)
	case p.SSORegion == "":
		return fmt.Errorf("profile %q: the SSO session of %s needs sso_region in %s", p.Name, p.SSOStartURL, v.Config.Path)
	case p.SSOAccountID == "" || p.SSORoleName == "":
		return fmt.Errorf("profile %q: an SSO profile needs sso_account_id and sso_role_name in %s", p.Name, v.Config.Path)
	}
	return nil
}

// ssoRoleProvider gets a permission set's role credentials with
// GetRoleCredentials.
type ssoRoleProvider struct {
	v *Vault
	p *Profile
	o Options
}

func (s *ssoRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	sess := sessionOf(s.p)
	token, err := s.v.ssoToken(ctx, sess, s.o, "")
	if err != nil {
		return aws.Credentials{}, err
	}
	client, err := s.v.ssoPortal(ctx, sess)
	if err != nil {
		return aws.Credentials{}, err
	}
	in := &sso.GetRoleCredentialsInput{
		AccountId: aws.String(s.p.SSOAccountID),
		RoleName:  aws.String(s.p.SSORoleName),
	}
	in.AccessToken = aws.String(token)
	s.v.debugf("GetRoleCredentials %s in %s for %s", s.p.SSORoleName, s.p.SSOAccountID, s.p.Name)
	out, err := client.GetRoleCredentials(ctx, in)
	if apiCode(err) == "UnauthorizedException" {
		// The portal no longer takes a token that looked valid (signed
		// out elsewhere, or ended early): renew it once and try again.
		s.v.debugf("the SSO portal refused the access token of %s; renewing it", sess.startURL)
		if token, err = s.v.ssoToken(ctx, sess, s.o, token); err != nil {
			return aws.Credentials{}, err
		}
		in.AccessToken = aws.String(token)
		out, err = client.GetRoleCredentials(ctx, in)
	}
	if err != nil {
		return aws.Credentials{}, friendly(s.p.Name, fmt.Sprintf("get SSO role credentials of %s in account %s", s.p.SSORoleName, s.p.SSOAccountID), err)
	}
	c := out.RoleCredentials
	if c == nil || aws.ToString(c.AccessKeyId) == "" {
		return aws.Credentials{}, fmt.Errorf("profile %q: the SSO portal returned no role credentials", s.p.Name)
	}
	return aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		CanExpire:       true,
		Expires:         time.UnixMilli(c.Expiration).UTC(),
		AccountID:       s.p.SSOAccountID,
		Source:          "SSO",
	}, nil
}

// ssoPortal returns a client of the SSO portal API in the session's region.
func (v *Vault) ssoPortal(ctx context.Context, s ssoSession) (*sso.Client, error) {
	cfg, err := v.awsConfig(ctx, s.profile, s.region, aws.AnonymousCredentials{})
	if err != nil {
		return nil, err
	}
	return sso.NewFromConfig(cfg), nil
}

func (v *Vault) ssoOIDC(ctx context.Context, s ssoSession) (*ssooidc.Client, error) {
	cfg, err := v.awsConfig(ctx, s.profile, s.region, aws.AnonymousCredentials{})
	if err != nil {
		return nil, err
	}
	return ssooidc.NewFromConfig(cfg), nil
}

// ssoToken returns an access token of SSO session s: the stored one while
// it is valid, else one renewed with the refresh token, else, where o
// allows it, one from a new device authorization. rejected is a token the
// portal has just refused, which must not be handed out again.
//
// Renewal and login happen under a cross-process lock named for the start
// URL, so parallel invocations share one refresh or one browser login: a
// process that waited re-reads the keyring once it holds the lock.
func (v *Vault) ssoToken(ctx context.Context, s ssoSession, o Options, rejected string) (string, error) {
	item := ssoItem(s.startURL)
	st, err := v.readSSO(item)
	if err != nil {
		return "", err
	}
	if st.usable(v.now(), rejected) {
		v.debugf("SSO access token of %s valid until %s", s.startURL, st.AccessExpires.Format(time.RFC3339))
		return st.AccessToken, nil
	}
	unlock, err := v.lockSSO(ctx, s)
	if err != nil {
		return "", err
	}
	defer unlock()
	if st, err = v.readSSO(item); err != nil {
		return "", err
	}
	if st.usable(v.now(), rejected) {
		v.debugf("SSO access token of %s renewed by another awsx", s.startURL)
		return st.AccessToken, nil
	}
	reason := "not logged in to " + s.startURL
	if st.AccessToken != "" {
		reason = "the SSO session of " + s.startURL + " has ended"
	}
	if st.canRefresh(v.now(), s) {
		err := v.ssoRefresh(ctx, s, &st)
		switch {
		case err == nil:
			if err := v.storeSSO(item, st); err != nil {
				return "", err
			}
			return st.AccessToken, nil
		case !loginGone(err):
			return "", friendly(s.login, "renew the SSO session of "+s.startURL, err)
		}
		v.debugf("the refresh token of %s is no longer accepted (%s)", s.startURL, apiCode(err))
		st.RefreshToken = ""
		if apiCode(err) == "InvalidClientException" {
			// The registration itself has ended: a login registers anew.
			st.ClientID = ""
		}
		// Kept as spent, so that the commands after this one (a hook at
		// every prompt) name the login at once instead of trying again.
		// Failing to keep it only costs them that try; the login needed
		// is still what to say.
		if err := v.storeSSO(item, st); err != nil {
			v.debugf("the spent refresh token of %s is not stored: %v", s.startURL, err)
		}
	}
	if !o.Interactive {
		return "", &LoginRequiredError{Login: s.login, Reason: reason}
	}
	if st, err = v.ssoDeviceLogin(ctx, s, o, st); err != nil {
		return "", err
	}
	if err := v.storeSSO(item, st); err != nil {
		return "", err
	}
	return st.AccessToken, nil
}

// usable reports whether the stored access token can be used now.
func (st *storedSSO) usable(now time.Time, rejected string) bool {
	return st.AccessToken != "" && st.AccessToken != rejected && now.Add(tokenMargin).Before(st.AccessExpires)
}

// canRefresh reports whether the refresh token may be tried: the client
// registration it belongs to must still hold.
func (st *storedSSO) canRefresh(now time.Time, s ssoSession) bool {
	return st.RefreshToken != "" && st.ClientID != "" && st.Region == s.region && now.Before(st.ClientExpires)
}

// clientUsable reports whether the stored client registration can start a
// device flow for s.
func (st *storedSSO) clientUsable(now time.Time, s ssoSession) bool {
	return st.ClientID != "" && st.Region == s.region && slices.Equal(st.Scopes, s.scopes) &&
		now.Add(clientMargin).Before(st.ClientExpires)
}

// readSSO reads an SSO item; a missing or unreadable one is empty.
func (v *Vault) readSSO(item string) (storedSSO, error) {
	var st storedSSO
	_, err := v.Keyring.get(item, &st)
	var corrupt *CorruptItemError
	if errors.As(err, &corrupt) {
		v.warnf("%v", err)
		return storedSSO{}, nil
	}
	return st, err
}

func (v *Vault) storeSSO(item string, st storedSSO) error {
	if err := v.Keyring.set(item, "SSO login "+st.StartURL, st); err != nil {
		return err
	}
	v.debugf("stored the SSO login of %s (access token until %s)", st.StartURL, st.AccessExpires.Format(time.RFC3339))
	return nil
}

// lockSSO takes the lock of s's start URL. Waiting for another awsx's
// login needs no limit of its own: a device authorization ends within
// minutes, approved or not.
func (v *Vault) lockSSO(ctx context.Context, s ssoSession) (func(), error) {
	return v.waitLock(ctx, ssoItem(s.startURL), "the SSO login to "+s.startURL, 0)
}

// loginGone reports whether an SSO OIDC error means that only a new login
// helps: the refresh token or the client registration is no longer
// accepted.
func loginGone(err error) bool {
	switch apiCode(err) {
	case "InvalidGrantException", "ExpiredTokenException", "InvalidClientException",
		"UnauthorizedClientException", "AccessDeniedException", "InvalidRequestException":
		return true
	}
	return false
}

// apiCode is the AWS error code of err, or "".
func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// ssoRefresh renews st's access token with its refresh token, without any
// browser.
func (v *Vault) ssoRefresh(ctx context.Context, s ssoSession, st *storedSSO) error {
	client, err := v.ssoOIDC(ctx, s)
	if err != nil {
		return err
	}
	v.debugf("renewing the SSO access token of %s with the refresh token", s.startURL)
	out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(st.ClientID),
		ClientSecret: aws.String(st.ClientSecret),
		GrantType:    aws.String(grantRefreshToken),
		RefreshToken: aws.String(st.RefreshToken),
	})
	if err != nil {
		return err
	}
	st.setToken(v.now(), out)
	return nil
}

// setToken records a CreateToken answer. AWS rotates refresh tokens; when
// an answer carries none, the one in hand stays.
func (st *storedSSO) setToken(now time.Time, out *ssooidc.CreateTokenOutput) {
	st.AccessToken = aws.ToString(out.AccessToken)
	st.AccessExpires = now.Add(time.Duration(out.ExpiresIn) * time.Second).UTC()
	if rt := aws.ToString(out.RefreshToken); rt != "" {
		st.RefreshToken = rt
	}
}

// ssoRegister registers awsx as a public OIDC client of s's region.
func (v *Vault) ssoRegister(ctx context.Context, client *ssooidc.Client, s ssoSession, st *storedSSO) error {
	v.debugf("RegisterClient in %s with scopes %s", s.region, strings.Join(s.scopes, ","))
	out, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{
		ClientName: aws.String(ssoClientName),
		ClientType: aws.String("public"),
		Scopes:     s.scopes,
	})
	if err != nil {
		return friendly(s.login, "register with SSO OIDC in "+s.region, err)
	}
	*st = storedSSO{
		StartURL:      s.startURL,
		Region:        s.region,
		Scopes:        slices.Clone(s.scopes),
		ClientID:      aws.ToString(out.ClientId),
		ClientSecret:  aws.ToString(out.ClientSecret),
		ClientExpires: time.Unix(out.ClientSecretExpiresAt, 0).UTC(),
	}
	return nil
}

// ssoDeviceLogin runs the OAuth device authorization: it shows the user
// code and the verification URL (opening it in the browser where it can),
// then polls CreateToken as the server's interval allows until the user
// approves. It returns the new login; nothing is stored here, so an
// interrupted login leaves the keyring as it was.
func (v *Vault) ssoDeviceLogin(ctx context.Context, s ssoSession, o Options, st storedSSO) (storedSSO, error) {
	client, err := v.ssoOIDC(ctx, s)
	if err != nil {
		return st, err
	}
	fresh := false
	if !st.clientUsable(v.now(), s) {
		if err := v.ssoRegister(ctx, client, s, &st); err != nil {
			return st, err
		}
		fresh = true
	}
	start := func() (*ssooidc.StartDeviceAuthorizationOutput, error) {
		return client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
			ClientId:     aws.String(st.ClientID),
			ClientSecret: aws.String(st.ClientSecret),
			StartUrl:     aws.String(s.startURL),
		})
	}
	auth, err := start()
	if apiCode(err) == "InvalidClientException" && !fresh {
		// The registration ended before its announced expiry: register
		// again, once.
		if err := v.ssoRegister(ctx, client, s, &st); err != nil {
			return st, err
		}
		auth, err = start()
	}
	if err != nil {
		if ctx.Err() != nil {
			return st, fmt.Errorf("profile %q: SSO login: %w", s.login, ctx.Err())
		}
		return st, friendly(s.login, "start the SSO login to "+s.startURL, err)
	}
	code := aws.ToString(auth.UserCode)
	v.showDeviceCode(s, auth, o)
	stop := v.waiting("the approval of code " + code + " in the browser")
	out, err := v.pollToken(ctx, client, s, st, auth)
	stop()
	if err != nil {
		return st, err
	}
	st.setToken(v.now(), out)
	renews := "; awsx renews it without a browser after that"
	if st.RefreshToken == "" {
		// Without sso:account:access AWS issues no refresh token.
		renews = "; then you need to log in again (sso_registration_scopes without sso:account:access)"
	}
	v.infof("signed in to %s until %s%s", s.startURL, st.AccessExpires.Local().Format("15:04 MST, Jan 2"), renews)
	return st, nil
}

// pollToken polls CreateToken until the device code is approved, denied or
// expired, honouring the interval and slowing down when told to.
func (v *Vault) pollToken(ctx context.Context, client *ssooidc.Client, s ssoSession, st storedSSO, auth *ssooidc.StartDeviceAuthorizationOutput) (*ssooidc.CreateTokenOutput, error) {
	interval := time.Duration(max(auth.Interval, 1)) * pollUnit
	expiresIn := time.Duration(auth.ExpiresIn) * pollUnit
	if expiresIn <= 0 {
		expiresIn = 600 * pollUnit
	}
	deadline := v.now().Add(expiresIn)
	expired := fmt.Errorf("profile %q: the SSO sign-in code was not approved within %s; run 'awsx login %s' again", s.login, minutes(expiresIn), s.login)
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("profile %q: SSO login: %w", s.login, ctx.Err())
		case <-time.After(interval):
		}
		out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId:     aws.String(st.ClientID),
			ClientSecret: aws.String(st.ClientSecret),
			GrantType:    aws.String(grantDeviceCode),
			DeviceCode:   auth.DeviceCode,
		})
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("profile %q: SSO login: %w", s.login, ctx.Err())
		}
		switch apiCode(err) {
		case "AuthorizationPendingException":
		case "SlowDownException":
			// RFC 8628: every slow_down adds five seconds for good.
			interval += 5 * pollUnit
		case "ExpiredTokenException":
			return nil, expired
		case "AccessDeniedException":
			return nil, fmt.Errorf("profile %q: the SSO sign-in to %s was denied in the browser", s.login, s.startURL)
		case "":
			var uerr *url.Error
			if !errors.As(err, &uerr) {
				return nil, friendly(s.login, "SSO login to "+s.startURL, err)
			}
			// The network went while the person approves the code: the
			// code is still good, so go on asking until it ends.
			v.debugf("polling for the SSO token: %s", describeAWSError(err))
		default:
			return nil, friendly(s.login, "SSO login to "+s.startURL, err)
		}
		if !v.now().Before(deadline) {
			return nil, expired
		}
	}
}

// showDeviceCode tells the user where to approve the login: the browser
// opens the complete verification URL where it can, and the URL and code
// are printed either way, for a browser on another machine.
func (v *Vault) showDeviceCode(s ssoSession, auth *ssooidc.StartDeviceAuthorizationOutput, o Options) {
	url := firstNonEmpty(aws.ToString(auth.VerificationUriComplete), aws.ToString(auth.VerificationUri))
	code := aws.ToString(auth.UserCode)
	opened := false
	if !o.NoBrowser && v.OpenURL != nil && !v.remoteSession() {
		if err := v.OpenURL(url); err != nil {
			v.debugf("no browser opened: %v", err)
		} else {
			opened = true
		}
	}
	if opened {
		v.infof("%s: sign in to %s in the browser that opened, and check that it shows the code %s", s.login, s.startURL, code)
		v.infof("no browser? open %s", url)
		return
	}
	v.infof("%s: to sign in to %s, open this URL and check that it shows the code %s:", s.login, s.startURL, code)
	if v.Stderr != nil {
		fmt.Fprintf(v.Stderr, "\n    %s\n\n", url)
	}
}

// remoteSession reports an SSH session without an explicit $BROWSER,
// where a browser would open on the wrong machine, if at all.
func (v *Vault) remoteSession() bool {
	return v.getenv("BROWSER") == "" && (v.getenv("SSH_CONNECTION") != "" || v.getenv("SSH_TTY") != "")
}

func (v *Vault) infof(format string, args ...any) {
	if v.Stderr != nil {
		fmt.Fprintf(v.Stderr, "awsx: "+format+"\n", args...)
	}
}

// spinnerFrames animate a wait on a terminal.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// waiting shows that awsx waits for what: a spinner with the time waited
// on a terminal, one plain line elsewhere (logs, CI, a hook). The returned
// function ends the wait and clears the spinner.
func (v *Vault) waiting(what string) func() {
	if v.Stderr == nil {
		return func() {}
	}
	if !v.Terminal {
		v.infof("waiting for %s (Ctrl-C to cancel)", what)
		return func() {}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	began := time.Now()
	go func() {
		defer close(done)
		tick := time.NewTicker(120 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			elapsed := time.Since(began).Truncate(time.Second)
			fmt.Fprintf(v.Stderr, "\r\033[K%s waiting for %s… %s (Ctrl-C to cancel)", spinnerFrames[i%len(spinnerFrames)], what, elapsed)
			select {
			case <-stop:
				fmt.Fprint(v.Stderr, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// minutes formats a wait the way people say it: "10 minutes", "1 minute",
// "45s".
func minutes(d time.Duration) string {
	switch m := int(d / time.Minute); {
	case d%time.Minute != 0 || m == 0:
		return d.Round(time.Second).String()
	case m == 1:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}
