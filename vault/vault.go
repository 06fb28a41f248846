package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/vault/warm"
)

// DefaultMinTTL is how long before expiry a cached session is renewed.
const DefaultMinTTL = warm.DefaultMinTTL

// Vault turns profiles into credentials. Everything it needs from the
// process (environment, terminal, clock, output) is given to it, so tests
// never see the real HOME, keyring or AWS variables.
type Vault struct {
	Config  *Config
	Keyring *Keyring
	Locker  Locker

	Env    func(string) string // the process environment
	Stderr io.Writer           // notices (role chaining caps, warnings)
	Now    func() time.Time
	MinTTL time.Duration
	Debug  bool

	// Prompt asks the user for a value (an MFA code) on the terminal; nil
	// means there is no terminal and awsx must not ask.
	Prompt func(prompt string) (string, error)
	// OpenURL opens a URL in the browser (SSO login); nil, or an error,
	// means the URL is printed for the user to open instead.
	OpenURL func(url string) error
	// Terminal reports whether Stderr is a terminal, where a spinner may
	// show a long wait; elsewhere plain lines do.
	Terminal bool
	// Warm, when set, gives where and under which key to record what a
	// profile's run served, for package warm to replay while a later run
	// starts.
	Warm func(profile string) (dir, key string)

	notified map[string]bool
}

// Options are the per-command choices that shape a profile's credentials.
type Options struct {
	Duration time.Duration // --duration; zero uses the profile's
	Region   string        // --region; empty uses the profile's
	MFAToken string        // --mfa-token
	// NoBrowser prints the SSO sign-in URL instead of opening it.
	NoBrowser bool
	// Interactive allows prompting and starting a login. Without it awsx
	// fails at once with a LoginRequiredError naming the command to run.
	Interactive bool
	// Login makes a fresh session for the profile itself (awsx login): the
	// cache is not consulted for it, and a role from an MFA user asks for
	// a code rather than riding the bastion's session.
	Login bool
}

// LoginRequiredError means getting credentials needs the user (an MFA code
// or an SSO login) and awsx was not allowed to ask.
type LoginRequiredError struct {
	Profile string // the profile asked for
	Login   string // the profile whose login is needed
	Reason  string
}

// Command is what the user runs to fix it.
func (e *LoginRequiredError) Command() string { return "awsx login " + e.Login }

func (e *LoginRequiredError) Error() string {
	msg := fmt.Sprintf("%s needs '%s'", e.Profile, e.Command())
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

func (v *Vault) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Vault) getenv(k string) string {
	if v.Env == nil {
		return ""
	}
	return v.Env(k)
}

func (v *Vault) debugf(format string, args ...any) {
	if v.Debug && v.Stderr != nil {
		fmt.Fprintf(v.Stderr, "awsx: debug: "+format+"\n", args...)
	}
}

func (v *Vault) warnf(format string, args ...any) {
	if v.Stderr != nil {
		fmt.Fprintf(v.Stderr, "awsx: warning: "+format+"\n", args...)
	}
}

// noticeOnce prints a notice once per process.
func (v *Vault) noticeOnce(key, format string, args ...any) {
	if v.notified == nil {
		v.notified = map[string]bool{}
	}
	if v.notified[key] || v.Stderr == nil {
		return
	}
	v.notified[key] = true
	fmt.Fprintf(v.Stderr, "awsx: "+format+"\n", args...)
}

// Credentials resolves profile name to credentials, from the cache where it
// can, and from the profile's sources where it must.
func (v *Vault) Credentials(ctx context.Context, name string, o Options) (Credentials, error) {
	p, err := v.Config.Profile(name)
	if err != nil {
		return Credentials{}, err
	}
	prov, err := v.provider(ctx, p, o, true)
	if err != nil {
		return Credentials{}, err
	}
	c, err := prov.Retrieve(ctx)
	if err != nil {
		var le *LoginRequiredError
		if errors.As(err, &le) && le.Profile == "" {
			le.Profile = name
		}
		return Credentials{}, err
	}
	if c.AccountID == "" {
		c.AccountID = accountFromARN(p.RoleARN)
	}
	if c.AccountID == "" {
		c.AccountID = p.SSOAccountID
	}
	region := o.Region
	if region == "" {
		region = effectiveRegion(p)
	}
	// The entry does not depend on --region: the run's region overrides
	// the profile's, which is what the entry keeps.
	if cp, ok := prov.(*cachedProvider); ok && !cp.fresh && o.Duration == 0 {
		v.recordWarm(name, cp.fingerprint, p)
	}
	return Credentials{
		Profile:         name,
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Expires:         expiresOf(c),
		AccountID:       c.AccountID,
		Region:          region,
		Chained:         isChained(c),
	}, nil
}

// recordWarm records what a warm run of profile name serves: its session
// item, under fingerprint, with p's account where the session names none,
// and p's region; only for config bytes that the SDK's loader saw too.
func (v *Vault) recordWarm(name, fingerprint string, p *Profile) {
	if v.Warm == nil || !v.Config.Unchanged() {
		return
	}
	dir, key := v.Warm(name)
	account := accountFromARN(p.RoleARN)
	if account == "" {
		account = p.SSOAccountID
	}
	e := warm.Entry{Key: key, Fingerprint: fingerprint, Account: account, Region: effectiveRegion(p)}
	if err := warm.Record(dir, name, e); err != nil {
		v.debugf("warm index of %s not written: %v", name, err)
	}
}

func expiresOf(c aws.Credentials) time.Time {
	if !c.CanExpire {
		return time.Time{}
	}
	return c.Expires.UTC()
}

// effectiveRegion is the profile's region, else its source chain's: a
// child account's profile usually inherits the bastion's region.
func effectiveRegion(p *Profile) string {
	for ; p != nil; p = p.Source {
		if p.Region != "" {
			return p.Region
		}
	}
	return ""
}

// accountFromARN returns the account id of an IAM or STS ARN.
func accountFromARN(arn string) string { return arnField(arn, 4) }

// partitionOf is the partition of an ARN (aws, aws-us-gov, aws-cn).
func partitionOf(arn string) string { return arnField(arn, 1) }

// arnField returns field i of arn (arn:PARTITION:SERVICE:REGION:ACCOUNT:
// RESOURCE), or "" when it is not an ARN.
func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[i]
}

// friendly turns an SDK error into one line naming what failed and where.
func friendly(profile, what string, err error) error {
	var le *LoginRequiredError
	if errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("profile %q: %s: %s", profile, what, describeAWSError(err))
}
