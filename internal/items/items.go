// Package items names the keyring items. Every secret awsx keeps is one
// keyring item named here, and nowhere else:
//
//	keys/PROFILE      an IAM user's long-term access key (awsx add)
//	session/PROFILE   the cached session of a profile: an MFA session
//	                  (GetSessionToken), an assumed role, SSO role credentials
//	sso/START_URL     an SSO login: client registration, access and refresh token
//
// Besides the keyring, awsx keeps nothing secret on disk: ~/.awsx/locks
// (the session lock files), ~/.awsx/trusted (trusted markers) and
// ~/.awsx/warm (package warm's index: per profile, what a warm run serves
// for a digest of its inputs; the item's fingerprint, account and region).
//
// It also says where the file backend keeps an item, and how awsx reads a
// leading ~ in such a path. It is a package of its own because start-up
// code (packages warm and earlyexec) needs the names before the keyring
// and the AWS SDK are initialised, so it must import little: even
// net/url, which Go initialises only after many of the SDK's packages,
// would put that code after them. That is why
// vault normalises the start URL in an SSO item's name (normalStartURL)
// before SSO is given it.
package items

import (
	"path/filepath"
	"strings"

	"github.com/mtibben/percent"
)

const (
	KeysPrefix    = "keys/"
	SessionPrefix = "session/"
	SSOPrefix     = "sso/"
)

// Keys names the item of profile's long-term access key.
func Keys(profile string) string { return KeysPrefix + profile }

// Session names the item of profile's cached session.
func Session(profile string) string { return SessionPrefix + profile }

// SSO names the item of the SSO login at the normalised start URL.
func SSO(normalStartURL string) string { return SSOPrefix + normalStartURL }

// FileDir is the file backend's directory: AWSX_FILE_DIR, where a leading
// ~ is the home directory, or ~/.awsx/keys.
func FileDir(home string, getenv func(string) string) string {
	if d := getenv("AWSX_FILE_DIR"); d != "" {
		return Expand(home, d)
	}
	return filepath.Join(home, ".awsx", "keys")
}

// ConfigPath is the AWS config file: AWS_CONFIG_FILE, where a leading ~ is
// the home directory, or ~/.aws/config.
func ConfigPath(home string, getenv func(string) string) string {
	if p := getenv("AWS_CONFIG_FILE"); p != "" {
		return Expand(home, p)
	}
	return filepath.Join(home, ".aws", "config")
}

// Expand resolves a leading ~ (alone or before a slash) in a path that a
// variable such as AWSX_FILE_DIR or AWS_CONFIG_FILE names.
func Expand(home, path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		return filepath.Join(home, path[1:])
	}
	return path
}

// File is the name of the file the file backend keeps item name in: the
// keyring library percent-encodes '/' (and '%') in it.
func File(name string) string { return percent.Encode(name, "/") }
