package vault

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"gopkg.in/ini.v1"
)

// keyringPlaceholder stands in for the access key of a profile whose keys
// live in the keyring; see credentialsOverlay.
const keyringPlaceholder = "AWSXKEYRINGPLACEHOLDER"

// Config is the AWS config file as awsx reads it: the SDK's shared-config
// loader gives every standard key its AWS CLI meaning, and the raw ini view
// adds the profile list and awsx's own keys, which the SDK ignores.
type Config struct {
	Path string

	raw   *ini.File
	sum   [32]byte // of the bytes raw was read from
	names []string
	users *[]string // keyringUsers, once computed
}

// Profile is one profile of the config file with its source chain resolved.
type Profile struct {
	Name string

	Region               string
	RoleARN              string
	ExternalID           string
	RoleSessionName      string
	MFASerial            string
	MFAProcess           string
	Duration             time.Duration // duration_seconds; zero when unset
	CredentialSource     string
	CredentialProcess    string
	WebIdentityTokenFile string

	SSOSession   string
	SSOStartURL  string
	SSORegion    string
	SSOScopes    []string
	SSOAccountID string
	SSORoleName  string

	// Keys are long-term keys written in the config file itself; awsx
	// prefers the keyring but honours them as the AWS CLI would.
	FileKeyID, FileSecret string

	Source *Profile // the source_profile, resolved

	Color string   // awsx_color
	Dirs  []string // awsx_dirs, as written

	sdk config.SharedConfig
}

// Kind names where a profile's credentials come from, as `awsx list` shows it.
func (p *Profile) Kind() string {
	switch {
	case p.RoleARN != "" && p.WebIdentityTokenFile != "":
		return "web-identity"
	case p.RoleARN != "":
		return "role"
	case p.isSSO():
		return "sso"
	case p.CredentialProcess != "":
		return "process"
	case p.CredentialSource != "":
		return "env"
	default:
		return "iam-user"
	}
}

// isSSO reports whether the profile's credentials come from IAM Identity
// Center.
func (p *Profile) isSSO() bool {
	return p.SSOAccountID != "" || p.SSORoleName != "" || p.SSOSession != "" || p.SSOStartURL != ""
}

// IsIAMUser reports whether the profile's credentials are an IAM user's
// long-term keys, kept in the keyring (or the config file).
func (p *Profile) IsIAMUser() bool { return p.Kind() == "iam-user" }

// LoadConfig reads the config file at path. A missing file is an empty
// config: commands such as `awsx add` create it.
func LoadConfig(path string) (*Config, error) {
	c := &Config{Path: path}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	c.sum = sha256.Sum256(data)
	c.raw, err = ini.LoadSources(ini.LoadOptions{
		SkipUnrecognizableLines: false,
		AllowNonUniqueSections:  false,
		Loose:                   true,
	}, data)
	if err != nil {
		return nil, fmt.Errorf("config %s is malformed: %v", path, cleanIniError(err))
	}
	for _, s := range c.raw.Sections() {
		if name, ok := profileName(s.Name()); ok {
			c.names = append(c.names, name)
		}
	}
	sort.Strings(c.names)
	return c, nil
}

// cleanIniError drops the library's prefixes so the message fits one line.
func cleanIniError(err error) string {
	return strings.TrimSpace(strings.ReplaceAll(err.Error(), "\n", " "))
}

// profileName maps a section name to a profile name, as the AWS CLI does:
// `[default]` and `[profile NAME]`; other sections (sso-session, services)
// are not profiles.
func profileName(section string) (string, bool) {
	switch {
	case section == "default":
		return "default", true
	case strings.HasPrefix(section, "profile "):
		name := strings.TrimSpace(strings.TrimPrefix(section, "profile "))
		return name, name != ""
	}
	return "", false
}

// Names lists the profiles of the config file, sorted.
func (c *Config) Names() []string { return c.names }

// Sum is the SHA-256 of the bytes the config was read from.
func (c *Config) Sum() [32]byte { return c.sum }

// Unchanged reports whether the file still holds the bytes the config was
// read from. The SDK's loader reads the file on its own, so what it made
// of the file is known to belong to Sum only when the bytes were the same
// before and after.
func (c *Config) Unchanged() bool {
	data, err := os.ReadFile(c.Path)
	return err == nil && sha256.Sum256(data) == c.sum
}

// Has reports whether the config defines profile name.
func (c *Config) Has(name string) bool {
	_, ok := c.section(name)
	return ok
}

func (c *Config) section(name string) (*ini.Section, bool) {
	if s, err := c.raw.GetSection("profile " + name); err == nil {
		return s, true
	}
	if name == "default" {
		if s, err := c.raw.GetSection("default"); err == nil {
			return s, true
		}
	}
	return nil, false
}

func (c *Config) rawValue(name, key string) string {
	s, ok := c.section(name)
	if !ok {
		return ""
	}
	return strings.TrimSpace(s.Key(key).String())
}

// ProfileNotFoundError says a profile is not in the config file.
type ProfileNotFoundError struct {
	Name, Path, Suggestion string
}

func (e *ProfileNotFoundError) Error() string {
	msg := fmt.Sprintf("profile %q is not in %s", e.Name, e.Path)
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	return msg
}

// Profile resolves profile name and its source chain. The chain's
// structure (existence, cycles) is checked here so that each mistake gets a
// message naming the profile and the file; the values come from the SDK.
func (c *Config) Profile(name string) (*Profile, error) {
	if !c.Has(name) {
		return nil, &ProfileNotFoundError{Name: name, Path: c.Path, Suggestion: closest(name, c.names)}
	}
	if err := c.checkChain(name); err != nil {
		return nil, err
	}
	sc, err := c.loadSDK(name)
	if err != nil {
		return nil, fmt.Errorf("profile %q in %s: %v", name, c.Path, sdkMessage(err))
	}
	return c.fromSDK(name, &sc)
}

func (c *Config) checkChain(name string) error {
	seen := []string{}
	for cur := name; cur != ""; {
		for _, s := range seen {
			if s == cur {
				return fmt.Errorf("profile %q: source_profile loop %s -> %s in %s", name, strings.Join(seen, " -> "), cur, c.Path)
			}
		}
		seen = append(seen, cur)
		src := c.rawValue(cur, "source_profile")
		role := c.rawValue(cur, "role_arn")
		switch {
		case src != "" && role == "":
			return fmt.Errorf("profile %q: source_profile %q needs a role_arn to assume in %s", cur, src, c.Path)
		case role != "" && src == "" && c.rawValue(cur, "credential_source") == "" && c.rawValue(cur, "web_identity_token_file") == "":
			return fmt.Errorf("profile %q: role_arn needs source_profile or credential_source in %s", cur, c.Path)
		case src != "" && !c.Has(src):
			return fmt.Errorf("profile %q: source_profile %q is not in %s", cur, src, c.Path)
		}
		if src == cur {
			// The AWS CLI allows a profile to be its own source when it
			// has keys; awsx keeps keys in the keyring, so it is a loop.
			return fmt.Errorf("profile %q: source_profile names itself in %s", cur, c.Path)
		}
		cur = src
	}
	return nil
}

// sdkMessage shortens the SDK's loader errors to their point.
func sdkMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error fetching config from profile, ")
	return strings.ReplaceAll(msg, "\n", " ")
}

func (c *Config) loadSDK(name string) (sc config.SharedConfig, err error) {
	overlay, done, err := credentialsOverlay(c.keyringUsers())
	if err != nil {
		return config.SharedConfig{}, err
	}
	defer done()
	defer recoverSDKParse(c.Path, &err)
	return config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = c.configFiles()
		o.CredentialsFiles = []string{overlay}
	})
}

// recoverSDKParse turns a panic inside the SDK's ini parser into an error:
// its unquote slices out of range on a value such as `"  ` (found by
// FuzzProfile), and no panic may reach a user.
func recoverSDKParse(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("the AWS SDK cannot parse %s (%v); look for a value with an unbalanced quote", path, r)
	}
}

func (c *Config) configFiles() []string {
	if _, err := os.Stat(c.Path); err != nil {
		return []string{}
	}
	return []string{c.Path}
}

// keyringUsers lists the profiles that have no source of their own in the
// file: IAM users whose keys awsx keeps in the keyring. The SDK refuses a
// source_profile without credentials, so these get placeholder keys in an
// in-memory credentials overlay, and the SDK then resolves every chain with
// its own semantics.
func (c *Config) keyringUsers() []string {
	if c.users != nil {
		return *c.users
	}
	var out []string
	for _, n := range c.names {
		has := false
		for _, k := range []string{"source_profile", "credential_source", "credential_process",
			"web_identity_token_file", "sso_session", "sso_start_url", "sso_account_id", "aws_access_key_id"} {
			if c.rawValue(n, k) != "" {
				has = true
				break
			}
		}
		if !has {
			out = append(out, n)
		}
	}
	c.users = &out
	return out
}

func overlayText(names []string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", n, keyringPlaceholder, keyringPlaceholder)
	}
	return b.String()
}

func (c *Config) fromSDK(name string, sc *config.SharedConfig) (*Profile, error) {
	p := &Profile{
		Name:                 name,
		Region:               sc.Region,
		RoleARN:              sc.RoleARN,
		ExternalID:           sc.ExternalID,
		RoleSessionName:      sc.RoleSessionName,
		MFASerial:            sc.MFASerial,
		MFAProcess:           c.rawValue(name, "mfa_process"),
		CredentialSource:     sc.CredentialSource,
		CredentialProcess:    sc.CredentialProcess,
		WebIdentityTokenFile: sc.WebIdentityTokenFile,
		SSOSession:           sc.SSOSessionName,
		SSOStartURL:          sc.SSOStartURL,
		SSORegion:            sc.SSORegion,
		SSOAccountID:         sc.SSOAccountID,
		SSORoleName:          sc.SSORoleName,
		Color:                c.Color(name),
		sdk:                  *sc,
	}
	if sc.SSOSession != nil {
		p.SSOStartURL = sc.SSOSession.SSOStartURL
		p.SSORegion = sc.SSOSession.SSORegion
		if scopes := c.rawSSOSessionValue(sc.SSOSessionName, "sso_registration_scopes"); scopes != "" {
			for _, s := range strings.Split(scopes, ",") {
				if s = strings.TrimSpace(s); s != "" {
					p.SSOScopes = append(p.SSOScopes, s)
				}
			}
		}
	}
	// The SDK reads a non-numeric duration_seconds as 0; that is a typo
	// the user wants to hear about, not a default.
	if raw := c.rawValue(name, "duration_seconds"); raw != "" {
		if _, err := strconv.Atoi(raw); err != nil {
			return nil, fmt.Errorf("profile %q: duration_seconds %q is not a number of seconds in %s", name, raw, c.Path)
		}
	}
	if sc.RoleDurationSeconds != nil {
		p.Duration = *sc.RoleDurationSeconds
	}
	if p.Duration < 0 || (p.Duration > 0 && p.Duration < 15*time.Minute) || p.Duration > 12*time.Hour {
		return nil, fmt.Errorf("profile %q: duration_seconds %d is outside 900-43200 in %s", name, int(p.Duration.Seconds()), c.Path)
	}
	if k := sc.Credentials; k.AccessKeyID != "" && k.AccessKeyID != keyringPlaceholder {
		p.FileKeyID, p.FileSecret = k.AccessKeyID, k.SecretAccessKey
	}
	p.Dirs = c.Dirs(name)
	if sc.SourceProfileName != "" && sc.Source != nil {
		src, err := c.fromSDK(sc.SourceProfileName, sc.Source)
		if err != nil {
			return nil, err
		}
		p.Source = src
	}
	return p, nil
}

// Color is a profile's awsx_color, read without resolving the profile:
// the hook asks for it at every switch.
func (c *Config) Color(name string) string { return c.rawValue(name, "awsx_color") }

// Dirs returns profile name's awsx_dirs as written, read from the file
// alone: the hook looks at every profile's on a cd, and resolving each one
// through the SDK there would cost a full parse per profile.
func (c *Config) Dirs(name string) []string {
	var dirs []string
	for _, d := range strings.Split(c.rawValue(name, "awsx_dirs"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func (c *Config) rawSSOSessionValue(session, key string) string {
	s, err := c.raw.GetSection("sso-session " + session)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(s.Key(key).String())
}

// closest returns the name most like want, for a "did you mean" hint, or ""
// when nothing is close enough to help.
func closest(want string, names []string) string {
	best, bestDist := "", len(want)/2+2
	for _, n := range names {
		if d := editDistance(strings.ToLower(want), strings.ToLower(n)); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
