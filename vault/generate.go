package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"gopkg.in/ini.v1"
)

// GenerateOptions are the choices of `awsx config generate`.
type GenerateOptions struct {
	StartURL string // --sso-start-url
	Region   string // --sso-region
	// Role is the role to use in every account: the role assumed through
	// SourceProfile, or the permission set of the SSO role (default: the
	// account's only role, else the first by name).
	Role string
	// SourceProfile, when set, makes every profile assume Role with this
	// profile's credentials (the bastion pattern).
	SourceProfile string
	Duration      time.Duration // duration_seconds of the assumed roles
	DryRun        bool          // show what would be added, write nothing
	NoBrowser     bool          // print the sign-in URL instead of opening it
}

// GeneratedProfile is a profile that config generate adds.
type GeneratedProfile struct {
	Name        string
	AccountID   string
	AccountName string
	Role        string
}

// GenerateResult says what config generate did, or would do with DryRun.
type GenerateResult struct {
	Path    string
	Session string // the [sso-session NAME] it added, or ""
	Added   []GeneratedProfile
	// Existing counts the accounts that already have a profile for the
	// same role: they are left as they are.
	Existing int
	// Skipped explains each account that gets no profile.
	Skipped []string
	// Text is what is (or would be) appended to the config file.
	Text string
}

// Summary says in one line what was (or, with dryRun, would be) added.
func (r *GenerateResult) Summary(dryRun bool) string {
	verb := "added"
	if dryRun {
		verb = "would add"
	}
	msg := fmt.Sprintf("%s %d profile(s) to %s", verb, len(r.Added), r.Path)
	if r.Session != "" {
		msg += fmt.Sprintf(" with [sso-session %s]", r.Session)
	}
	if r.Existing > 0 {
		msg += fmt.Sprintf("; %d account(s) already had one", r.Existing)
	}
	if dryRun {
		msg += "; nothing was changed"
	}
	return msg
}

// ssoAccount is an account the SSO user reaches, with its roles.
type ssoAccount struct {
	ID, Name string
	Roles    []string
}

// listAttempts and listBackoff shape the retries of the portal's list
// calls, which large organisations see throttled (TooManyRequestsException):
// more attempts than other calls, exponential backoff with jitter, and no
// client-side retry quota, so a long listing is not cut short by it.
const (
	listAttempts = 6
	listBackoff  = 3 * time.Second
)

// GenerateConfig writes a profile for every account the SSO user of
// o.StartURL can reach, named after the account, each assuming o.Role
// through o.SourceProfile or using the SSO role directly. It only ever
// appends new sections to the config file, leaving every byte that is
// there as it is, and writes nothing unless the whole listing succeeded.
// A profile already there for an account and role is kept, so running it
// again adds nothing.
//
// It needs the SSO session of o.StartURL and starts a device login when
// there is no valid one: like `awsx login`, it is a command a person runs
// to get in.
func (v *Vault) GenerateConfig(ctx context.Context, o GenerateOptions) (*GenerateResult, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	session, sessionExists, scopes := v.Config.sessionFor(o.StartURL)
	sess := ssoSession{login: "sso-session " + session, startURL: o.StartURL, region: o.Region, scopes: scopes}
	if o.SourceProfile != "" {
		if !v.Config.Has(o.SourceProfile) {
			return nil, fmt.Errorf("--source-profile %q is not in %s; add the bastion profile first", o.SourceProfile, v.Config.Path)
		}
		sess.login = o.SourceProfile
	}
	// Interactive even without a terminal: like 'awsx login', this is a
	// command a person runs to sign in, and the device flow prints the URL
	// and code on stderr and says what it waits for.
	login := Options{Interactive: true, NoBrowser: o.NoBrowser}
	token, err := v.ssoToken(ctx, sess, login, "")
	if err != nil {
		return nil, err
	}
	accounts, err := v.listSSOAccounts(ctx, sess, token, o.SourceProfile == "")
	var refused *refusedTokenError
	if errors.As(err, &refused) {
		// The portal no longer takes a token that looked valid (signed out
		// elsewhere, or ended early): renew it once and list again, as
		// GetRoleCredentials does.
		v.debugf("the SSO portal refused the access token of %s; renewing it", o.StartURL)
		if token, err = v.ssoToken(ctx, sess, login, token); err != nil {
			return nil, err
		}
		accounts, err = v.listSSOAccounts(ctx, sess, token, o.SourceProfile == "")
	}
	if err != nil {
		return nil, fmt.Errorf("list the accounts of %s: %w; %s is unchanged", o.StartURL, err, v.Config.Path)
	}
	res := v.Config.plan(o, accounts, session)
	if len(res.Added) == 0 {
		return res, nil
	}
	var secs []newSection
	if o.SourceProfile == "" && !sessionExists {
		res.Session = session
		secs = append(secs, newSection{
			name:    "sso-session " + session,
			comment: "Added by awsx config generate.",
			keys: [][2]string{{"sso_start_url", o.StartURL}, {"sso_region", o.Region},
				{"sso_registration_scopes", strings.Join(scopes, ",")}},
		})
	}
	for _, g := range res.Added {
		secs = append(secs, o.section(g, session))
	}
	if res.Text, err = renderSections(secs); err != nil {
		return nil, err
	}
	if o.DryRun {
		return res, nil
	}
	if err := v.Config.appendSections(res.Text); err != nil {
		return nil, err
	}
	return res, nil
}

// The patterns compile on first use: a bounded repetition makes a large
// program, and every start of awsx would pay for it.
var (
	// roleNamePattern is IAM's rule for role and permission set names; a
	// name outside it could not be written safely into the config file.
	roleNamePattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	accountIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	regionPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+$`) })
	// sectionNamePattern is what a profile name may be to be written into
	// a new section and value.
	sectionNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._@+-]+$`) })
)

func (o GenerateOptions) check() error {
	u, err := url.Parse(o.StartURL)
	switch {
	case o.StartURL == "":
		return errors.New("--sso-start-url is needed: your organisation's AWS access portal URL, e.g. https://example.awsapps.com/start")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Errorf("--sso-start-url %q is not a URL such as https://example.awsapps.com/start", o.StartURL)
	case o.Region == "":
		return errors.New("--sso-region is needed: the region of your IAM Identity Center, e.g. eu-west-1")
	case !regionPattern().MatchString(o.Region):
		return fmt.Errorf("--sso-region %q is not a region such as eu-west-1", o.Region)
	case o.Role != "" && !roleNamePattern().MatchString(o.Role):
		return fmt.Errorf("--role %q is not a role name (letters, digits and +=,.@_-)", o.Role)
	case o.SourceProfile != "" && !sectionNamePattern().MatchString(o.SourceProfile):
		return fmt.Errorf("--source-profile %q is not a profile name awsx can write (letters, digits and ._@+-)", o.SourceProfile)
	case o.SourceProfile != "" && o.Role == "":
		return fmt.Errorf("--source-profile %s needs --role, the role to assume in each account", o.SourceProfile)
	case o.SourceProfile == "" && o.Duration > 0:
		return errors.New("--duration sets duration_seconds of roles assumed through --source-profile; an SSO role's session length is set by its permission set")
	case o.Duration > 0 && (o.Duration < 15*time.Minute || o.Duration > 12*time.Hour):
		return fmt.Errorf("--duration %s is outside the 15m to 12h that AWS allows", o.Duration)
	}
	return nil
}

// section is one generated profile.
func (o GenerateOptions) section(g GeneratedProfile, session string) newSection {
	sec := newSection{
		name:    "profile " + g.Name,
		comment: fmt.Sprintf("Account %q (%s), added by awsx config generate.", g.AccountName, g.AccountID),
	}
	if o.SourceProfile != "" {
		sec.keys = [][2]string{{"source_profile", o.SourceProfile}, {"role_arn", roleARN(o.Region, g.AccountID, g.Role)}}
		if o.Duration > 0 {
			sec.keys = append(sec.keys, [2]string{"duration_seconds", strconv.Itoa(int(o.Duration.Seconds()))})
		}
		return sec
	}
	sec.keys = [][2]string{{"sso_session", session}, {"sso_account_id", g.AccountID}, {"sso_role_name", g.Role}}
	return sec
}

// roleARN is the ARN of role in account, in the partition of region.
func roleARN(region, account, role string) string {
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, role)
}

// listSSOAccounts lists every account the token reaches, and with roles,
// every account's roles. Everything is listed before anything is written.
func (v *Vault) listSSOAccounts(ctx context.Context, s ssoSession, token string, roles bool) ([]ssoAccount, error) {
	cfg, err := v.awsConfig(ctx, nil, s.region, aws.AnonymousCredentials{})
	if err != nil {
		return nil, err
	}
	client := sso.NewFromConfig(cfg, func(o *sso.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = listAttempts
			so.MaxBackoff = listBackoff
			so.RateLimiter = ratelimit.None
		})
	})
	var accounts []ssoAccount
	pages := sso.NewListAccountsPaginator(client, &sso.ListAccountsInput{AccessToken: aws.String(token), MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, listError(ctx, err)
		}
		for _, a := range out.AccountList {
			accounts = append(accounts, ssoAccount{ID: aws.ToString(a.AccountId), Name: aws.ToString(a.AccountName)})
		}
		v.debugf("listed %d accounts so far", len(accounts))
	}
	if !roles {
		return accounts, nil
	}
	for i := range accounts {
		rp := sso.NewListAccountRolesPaginator(client, &sso.ListAccountRolesInput{
			AccessToken: aws.String(token), AccountId: aws.String(accounts[i].ID), MaxResults: aws.Int32(100),
		})
		for rp.HasMorePages() {
			out, err := rp.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("roles of account %s: %w", accounts[i].ID, listError(ctx, err))
			}
			for _, r := range out.RoleList {
				accounts[i].Roles = append(accounts[i].Roles, aws.ToString(r.RoleName))
			}
		}
		sort.Strings(accounts[i].Roles)
	}
	return accounts, nil
}

// listError is err as one line, or the interruption it is.
func listError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if apiCode(err) == "UnauthorizedException" {
		return &refusedTokenError{describeAWSError(err)}
	}
	return errors.New(describeAWSError(err))
}

// refusedTokenError is a listing the portal refused for its access token,
// which a renewed token may fix.
type refusedTokenError struct{ msg string }

func (e *refusedTokenError) Error() string { return e.msg }

// plan decides the profiles to add: one per account, unless a profile for
// that account and role is already there, named after the account.
func (c *Config) plan(o GenerateOptions, accounts []ssoAccount, session string) *GenerateResult {
	res := &GenerateResult{Path: c.Path}
	sort.Slice(accounts, func(i, j int) bool {
		if accounts[i].Name != accounts[j].Name {
			return accounts[i].Name < accounts[j].Name
		}
		return accounts[i].ID < accounts[j].ID
	})
	var todo []GeneratedProfile
	for _, a := range accounts {
		if !accountIDPattern().MatchString(a.ID) {
			res.Skipped = append(res.Skipped, fmt.Sprintf("account %q: %q is not an account id", a.Name, a.ID))
			continue
		}
		// Only names that can be written safely (IAM's own rule) count.
		a.Roles = slices.DeleteFunc(a.Roles, func(r string) bool { return !roleNamePattern().MatchString(r) })
		role := o.Role
		if o.SourceProfile == "" {
			switch {
			case len(a.Roles) == 0:
				res.Skipped = append(res.Skipped, fmt.Sprintf("account %q (%s): no role for you", a.Name, a.ID))
				continue
			case role == "":
				role = a.Roles[0]
			case !slices.Contains(a.Roles, role):
				res.Skipped = append(res.Skipped, fmt.Sprintf("account %q (%s): no role %s (roles: %s)", a.Name, a.ID, role, strings.Join(a.Roles, ", ")))
				continue
			}
		}
		if c.hasGenerated(o, a.ID, role, session) {
			res.Existing++
			continue
		}
		todo = append(todo, GeneratedProfile{Name: ProfileNameFor(a.Name, a.ID), AccountID: a.ID, AccountName: a.Name, Role: role})
	}
	// A name that two new accounts would share, or that the file already
	// uses, gets the account id: the same accounts always get the same
	// names, whatever order AWS lists them in.
	uses := map[string]int{}
	for _, g := range todo {
		uses[g.Name]++
	}
	taken := map[string]bool{"default": true}
	for _, n := range c.names {
		taken[n] = true
	}
	for _, g := range todo {
		if uses[g.Name] > 1 || taken[g.Name] {
			g.Name += "-" + g.AccountID
		}
		if taken[g.Name] {
			res.Skipped = append(res.Skipped, fmt.Sprintf("account %q (%s): profile %s is already taken", g.AccountName, g.AccountID, g.Name))
			continue
		}
		taken[g.Name] = true
		res.Added = append(res.Added, g)
	}
	return res
}

// hasGenerated reports whether some profile already gives account's role
// the way o would: then the account is left alone, whatever that profile
// is called.
func (c *Config) hasGenerated(o GenerateOptions, account, role, session string) bool {
	want := roleARN(o.Region, account, role)
	for _, n := range c.names {
		if o.SourceProfile != "" {
			if c.rawValue(n, "source_profile") == o.SourceProfile && c.rawValue(n, "role_arn") == want {
				return true
			}
			continue
		}
		if c.rawValue(n, "sso_account_id") != account || c.rawValue(n, "sso_role_name") != role {
			continue
		}
		if s := c.rawValue(n, "sso_session"); s == session || (s == "" && sameURL(c.rawValue(n, "sso_start_url"), o.StartURL)) {
			return true
		}
	}
	return false
}

// ProfileNameFor turns an account name into a profile name: lower case,
// letters, digits and dashes ("Prod (EU)" becomes "prod-eu"); a name with
// none of those becomes account-ID.
func ProfileNameFor(accountName, accountID string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(accountName) {
		s := string(r)
		if f, ok := latinFold()[r]; ok {
			s = f
		} else if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s)
		dash = false
	}
	if b.Len() == 0 {
		return "account-" + accountID
	}
	return b.String()
}

// latinFold spells accented Latin letters without their accents, so that
// "Zürich Prod" is named zurich-prod rather than z-rich-prod. It is built
// on first use, not at every start.
var latinFold = sync.OnceValue(func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'þ': "th"}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćčĉ", "d": "ď", "e": "èéêëēėęě", "g": "ğ", "i": "ìíîïīį", "l": "ľĺ",
		"n": "ñńň", "o": "òóôõöōő", "r": "řŕ", "s": "śšş", "t": "ťţ", "u": "ùúûüūůű", "y": "ýÿ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
})

// sessionFor finds the [sso-session] of startURL, or names a new one after
// the start URL's host (https://corp.awsapps.com/start gives "corp"). It
// returns the session's name, whether the file has it, and its
// registration scopes.
func (c *Config) sessionFor(startURL string) (name string, exists bool, scopes []string) {
	taken := map[string]bool{}
	for _, s := range c.raw.Sections() {
		n, ok := strings.CutPrefix(s.Name(), "sso-session ")
		if !ok {
			continue
		}
		n = strings.TrimSpace(n)
		taken[n] = true
		if sameURL(s.Key("sso_start_url").String(), startURL) {
			scopes = splitList(s.Key("sso_registration_scopes").String())
			if len(scopes) == 0 {
				scopes = DefaultSSOScopes
			}
			return n, true, scopes
		}
	}
	base := "sso"
	if u, err := url.Parse(startURL); err == nil {
		host, _, _ := strings.Cut(u.Hostname(), ".")
		if n := ProfileNameFor(host, ""); host != "" && n != "account-" {
			base = n
		}
	}
	name = base
	for i := 2; taken[name]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name, false, DefaultSSOScopes
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// sameURL compares start URLs as the portal does: scheme and host without
// regard to case, and without a trailing slash.
func sameURL(a, b string) bool {
	return a != "" && normalStartURL(a) == normalStartURL(b)
}

// appendSections adds text, new sections, at the end of the config file.
// The bytes already there are kept exactly: an ini round trip would move
// comments, realign keys and flatten the nested keys of [services]
// sections. The result must still parse, and it replaces the file
// atomically.
func (c *Config) appendSections(text string) error {
	old, err := os.ReadFile(c.Path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read config %s: %w", c.Path, err)
	}
	data := append([]byte{}, old...)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n')
	}
	if len(data) == 0 {
		text = strings.TrimPrefix(text, "\n")
	}
	data = append(data, text...)
	if _, err := ini.LoadSources(ini.LoadOptions{Loose: true}, data); err != nil {
		return fmt.Errorf("config %s would not parse after the change (%v); it is unchanged", c.Path, cleanIniError(err))
	}
	if err := writeAtomic(c.Path, data); err != nil {
		return err
	}
	reloaded, err := LoadConfig(c.Path)
	if err != nil {
		return err
	}
	*c = *reloaded
	return nil
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, keeping the file's mode, so a crash never leaves half a file.
// A symlinked path (a config kept in a dotfiles repository) has its target
// replaced: renaming over the link itself would turn it into a file.
func writeAtomic(path string, data []byte) error {
	path, err := realPath(path)
	if err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, ".config-awsx-*")
	if err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(mode)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		return fmt.Errorf("write config %s: %w", path, werr)
	}
	return nil
}

// maxLinks bounds the symlinks realPath follows, as the kernel bounds them.
const maxLinks = 40

// realPath is the file that path names once symlinks are followed. A link
// whose target does not exist yet resolves to that target, so writing
// creates it and the link stays.
func realPath(path string) (string, error) {
	for range maxLinks {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return real, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return path, err
		}
		target, err := os.Readlink(path)
		if err != nil {
			// Not a link: a file that is not there yet.
			return path, nil
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path, errors.New("too many levels of symbolic links")
}
