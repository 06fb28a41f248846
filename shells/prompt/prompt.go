// Package prompt is the prompt segment: what `awsx prompt` prints and the
// hook's awsx_prompt_info prints the same way in shell code. It imports
// only packages that Go initialises early, so that package earlyprompt can
// answer `awsx prompt` before the AWS SDK's packages initialise.
package prompt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultFormat is what `awsx prompt` and awsx_prompt_info print
// without a format: e.g. `prod 222222222222 7h41m`.
const DefaultFormat = "{profile} {account} {expires_in}"

// Info is what the prompt shows about the active profile.
type Info struct {
	Profile string
	Account string
	Region  string
	Expires time.Time // zero when unknown or the keys do not expire
}

// FromEnv reads the active profile from the variables that exec and
// the hook set, so that the prompt needs neither the config nor the
// keyring. No AWSX_PROFILE means no active profile.
func FromEnv(getenv func(string) string) (Info, bool) {
	p := Info{
		Profile: getenv("AWSX_PROFILE"),
		Account: getenv("AWSX_ACCOUNT_ID"),
		Region:  getenv("AWS_REGION"),
	}
	if p.Region == "" {
		p.Region = getenv("AWS_DEFAULT_REGION")
	}
	if exp, err := strconv.ParseInt(getenv("AWSX_EXPIRATION"), 10, 64); err == nil && isDigits(getenv("AWSX_EXPIRATION")) {
		p.Expires = time.Unix(exp, 0)
	}
	return p, p.Profile != ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Format fills format's {profile}, {account}, {region} and
// {expires_in} in one pass (a value is never read as a placeholder; unknown
// placeholders stay as written), then collapses the runs of spaces that
// empty fields leave and trims spaces at the ends. The hook's
// awsx_prompt_info does exactly the same in shell code.
func Format(format string, p Info, now time.Time) string {
	if format == "" {
		format = DefaultFormat
	}
	in := ""
	if !p.Expires.IsZero() {
		in = ExpiresIn(p.Expires.Unix() - now.Unix())
	}
	var b strings.Builder
	rest := format
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		close := strings.IndexByte(rest[open:], '}')
		if close < 0 {
			break
		}
		close += open
		b.WriteString(rest[:open])
		switch key := rest[open+1 : close]; key {
		case "profile":
			b.WriteString(p.Profile)
		case "account":
			b.WriteString(p.Account)
		case "region":
			b.WriteString(p.Region)
		case "expires_in":
			b.WriteString(in)
		default:
			b.WriteString("{" + key + "}")
		}
		rest = rest[close+1:]
	}
	b.WriteString(rest)
	out := b.String()
	for strings.Contains(out, "  ") {
		out = strings.ReplaceAll(out, "  ", " ")
	}
	return strings.Trim(out, " ")
}

// ExpiresIn renders the seconds left: 7h41m, 41m, 30s, or expired.
// Minutes are truncated, never rounded up, so the prompt never promises
// more time than there is.
func ExpiresIn(left int64) string {
	switch {
	case left <= 0:
		return "expired"
	case left >= 3600:
		return fmt.Sprintf("%dh%dm", left/3600, left%3600/60)
	case left >= 60:
		return fmt.Sprintf("%dm", left/60)
	default:
		return fmt.Sprintf("%ds", left)
	}
}
