// Package creds holds the value that vault hands to the packages that
// present credentials (exec, shells): what a profile resolved to. It is a
// package of its own, importing almost nothing, so that a warm exec can
// build it and present it while awsx is still starting (package warm),
// before the AWS SDK that the rest of vault needs has initialised.
package creds

import "time"

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

// Secret variables that no child process of awsx may inherit.
var keyringVariables = []string{"AWSX_FILE_PASSPHRASE"}

// IsKeyringVariable reports whether an environment variable carries a
// keyring secret.
func IsKeyringVariable(name string) bool {
	for _, k := range keyringVariables {
		if k == name {
			return true
		}
	}
	return false
}
