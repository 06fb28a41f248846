// Package vault knows where credentials come from: the profiles of the AWS
// config file, the keyring that holds every secret and session, and the
// sources (IAM user keys, MFA sessions, roles, SSO, processes) that turn a
// profile into short-lived credentials. It never prints or formats for a shell.
package vault

import (
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Credentials is what a command receives for a profile and hands to exec or
// shells to present. It carries everything those packages need so that they
// never talk to AWS themselves.
type Credentials struct {
	Profile         string    // the profile these credentials were resolved for
	AccessKeyID     string    // AWS_ACCESS_KEY_ID
	SecretAccessKey string    // AWS_SECRET_ACCESS_KEY
	SessionToken    string    // AWS_SESSION_TOKEN, empty for long-term keys
	Expires         time.Time // zero when the keys do not expire
	AccountID       string    // the account the keys act in, when known
	Region          string    // the profile's region, when it has one
	// Chained: a role session assumed with temporary credentials (another
	// role's, SSO role credentials, an MFA session), as the provider that
	// assumed it saw. AWS calls that role chaining: the session lasts an
	// hour at most, and the console refuses a SessionDuration for it.
	Chained bool
}

// CanExpire reports whether the credentials carry an expiry.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// ExpiresWithin reports whether the credentials expire within d of now.
func (c Credentials) ExpiresWithin(now time.Time, d time.Duration) bool {
	return c.CanExpire() && !now.Add(d).Before(c.Expires)
}

// chainedMark ends aws.Credentials.Source for a role-chained session: the
// SDK's credentials type has no other place for it, and the mark has to
// pass from the provider that assumed the role, through the cache, to the
// command that needs to know.
const chainedMark = " (role chaining)"

// markChained marks c as a role-chained session.
func markChained(c aws.Credentials) aws.Credentials {
	if !isChained(c) {
		c.Source += chainedMark
	}
	return c
}

// isChained reports whether c was marked as a role-chained session.
func isChained(c aws.Credentials) bool { return strings.HasSuffix(c.Source, chainedMark) }
