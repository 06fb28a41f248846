package shells

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Source is what the hook needs from the rest of awsx: the profiles of the
// config and credentials from the cache. It never prompts or logs in.
type Source interface {
	// Defined reports whether the config defines profile.
	Defined(profile string) bool
	// Dirs lists the awsx_dirs entries of every profile.
	Dirs() []DirRule
	// Color is the profile's awsx_color, "" when it has none.
	Color(profile string) string
	// Switch returns the variables that make the shell act as profile (in
	// region when not empty), as exec sets them, and when the credentials
	// expire (zero when they do not). Its error is one line for the user,
	// such as "prod needs 'awsx login bastion'".
	Switch(profile, region string) ([]Assignment, time.Time, error)
	// ConfigPath names the config file in messages.
	ConfigPath() string
}

// Use is a request from `awsx use`: a profile, or Off to go back.
type Use struct {
	Profile string
	Off     bool
}

// Hook is one run of the hook's process, made when the directory changed,
// when credentials near their expiry, or for `awsx use`.
type Hook struct {
	Shell  Shell
	Dir    string            // the shell's working directory
	Home   string            // for ~ in awsx_dirs
	Env    map[string]string // the shell's exported environment
	Now    time.Time
	MinTTL time.Duration // renew when the credentials expire within it
	Warned string        // keys of problems told already, from the shell
	Source Source
	Trust  TrustStore
	Stderr io.Writer // warnings, one line each
}

// managedVars are the variables every switch takes over, whatever the
// source sets: leaving restores each of them, so none of another account's
// credentials can linger.
var managedVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_SESSION_EXPIRATION",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_VAULT", "AWSX_PROFILE", "AWSX_ACCOUNT_ID", "AWSX_EXPIRATION",
}

// keptUnlessSet are managed variables that keep their previous value when a
// profile says nothing about them: a profile without a region leaves the
// user's region, while credentials it does not set are removed.
var keptUnlessSet = map[string]bool{"AWS_REGION": true, "AWS_DEFAULT_REGION": true}

// handVars are the variables whose change by hand makes awsx leave the shell
// alone (SPEC: AWS_PROFILE or the credentials), sorted. A region changed by
// hand is not among them: it is the user's while the shell stays with the
// profile (renewals keep it), and leaving restores the region from before
// the tree, like every other managed variable.
var handVars = []string{
	"AWS_ACCESS_KEY_ID", "AWS_DEFAULT_PROFILE", "AWS_PROFILE",
	"AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN",
}

// handSum fingerprints the handVars as value gives them.
func handSum(value func(string) *string) string { return fingerprint(handVars, value) }

// hookAWSXVars are the AWSX_ variables a hook may set; every other AWSX_
// variable is the keyring's or the user's configuration.
var hookAWSXVars = map[string]bool{"AWSX_PROFILE": true, "AWSX_ACCOUNT_ID": true, "AWSX_EXPIRATION": true}

// HookVars keeps of what exec sets for a child only what belongs in an
// interactive shell: exec also removes the keyring variables
// (AWSX_FILE_PASSPHRASE, ...) that the user's shell must keep, and the hook
// must never set them either.
func HookVars(as []Assignment) []Assignment {
	var out []Assignment
	for _, a := range as {
		if hookVar(a.Name) && !(a.Unset && strings.HasPrefix(a.Name, "AWSX_")) {
			out = append(out, a)
		}
	}
	return out
}

// hookVar reports whether the hook may ever set or unset name: an AWS_
// variable other than the keyring's, or one of hookAWSXVars. Its own
// bookkeeping (StateVar, ...) is not among them.
func hookVar(name string) bool {
	upper := strings.ToUpper(name)
	switch {
	case strings.Contains(upper, "PASSPHRASE"), strings.Contains(upper, "PASSWORD"),
		strings.HasPrefix(upper, "AWS_VAULT_"):
		return false
	case strings.HasPrefix(name, "AWSX_"):
		return hookAWSXVars[name]
	}
	return strings.HasPrefix(name, "AWS_") && validName(name)
}

// retryAfter is how long a failed renewal waits before the next try, so
// that an expired session costs one process a minute, not one a prompt;
// also the least time between two renewal runs. A variable for tests.
var retryAfter = time.Minute

// maxWarned caps the keys a shell remembers.
const maxWarned = 64

// OutputHeader is the first line of everything hook-env and `use --shell`
// print: a comment in every shell. The hooks evaluate awsx's output only
// when it starts with this line and awsx exited 0, so that help, errors or
// anything else printed by whatever runs as awsx are never taken as code.
const OutputHeader = "# awsx-hook 1"

// PrevSecretsEnv is the variable through which the hook hands awsx, for
// that one run only, the previous values of the secret variables (see
// secretVars) that the exported state leaves out; the hook keeps them in
// its unexported prevSecretsLocal.
const PrevSecretsEnv = "_AWSX_PREV_SECRETS"

// hookRun carries one run's output.
type hookRun struct {
	*Hook
	exports []Assignment
	locals  []Assignment
	warned  []string
	told    bool
}

// Run decides what the shell must change and returns it as code for
// h.Shell. Warnings go to h.Stderr. It fails only for a `use` request that
// cannot be met; then nothing changes.
func (h *Hook) Run(use *Use) (string, error) {
	r := &hookRun{Hook: h}
	if h.Warned != "" {
		r.warned = strings.Fields(h.Warned)
	}
	if err := r.run(use); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(OutputHeader + "\n")
	b.WriteString(h.Shell.Export(r.exports))
	for _, a := range r.locals {
		b.WriteString(h.Shell.SetLocal(a.Name, a.Value))
	}
	if r.told {
		b.WriteString(h.Shell.SetLocal(warnedLocal, strings.Join(r.warned, " ")))
	}
	b.WriteString(h.Shell.SetLocal(epochLocal, strconv.FormatInt(h.Now.Unix(), 10)))
	return b.String(), nil
}

func (r *hookRun) lookup(name string) *string {
	if v, ok := r.Env[name]; ok {
		return &v
	}
	return nil
}

// warn tells p once per shell.
func (r *hookRun) warn(p *Problem) {
	for _, k := range r.warned {
		if k == p.Key {
			return
		}
	}
	fmt.Fprintf(r.Stderr, "awsx: %s\n", oneLine(p.Message))
	r.warned = append(r.warned, p.Key)
	if len(r.warned) > maxWarned {
		r.warned = r.warned[len(r.warned)-maxWarned:]
	}
	r.told = true
}

func (r *hookRun) set(name, value string) { r.exports = append(r.exports, Set(name, value)) }
func (r *hookRun) unset(name string)      { r.exports = append(r.exports, Unset(name)) }
func (r *hookRun) setLocal(name, value string) {
	r.locals = append(r.locals, Set(name, value))
}

func (r *hookRun) run(use *Use) error {
	var st *state
	if v, ok := r.Env[StateVar]; ok {
		var err error
		if st, err = decodeState(v); err != nil {
			// Not awsx's: there is nothing it could restore from it.
			var fe *foreignNameError
			if errors.As(err, &fe) {
				r.warn(newProblem(fmt.Sprintf("ignoring %s: %v", StateVar, err), "foreign-state", v))
			}
			r.unset(StateVar)
			r.unset(CheckVar)
			r.unset(ColorVar)
			st = nil
		}
	}
	// A state written by an awsx before handVars summed every variable
	// it manages; either sum matching means nothing was changed by hand.
	if st != nil && !st.Hands && st.Sum != handSum(r.lookup) && st.Sum != fingerprint(st.names(), r.lookup) {
		st.Hands = true
		if use == nil {
			r.warn(newProblem("AWS variables were changed by hand; awsx leaves them alone until 'awsx use'", "hands"))
			r.set(StateVar, st.encode())
			r.unset(CheckVar)
			return nil
		}
	}

	var rule *Rule
	switch {
	case use != nil && use.Off:
		if st == nil {
			return nil
		}
		st.Use = ""
	case use != nil:
		if !validValue(use.Profile) {
			return fmt.Errorf("profile %s: a profile name must be made of A-Z a-z 0-9 . _ - only", ShowPath(use.Profile))
		}
		if !r.Source.Defined(use.Profile) {
			return fmt.Errorf("profile %s is not defined in %s", use.Profile, ShowPath(r.Source.ConfigPath()))
		}
		rule = &Rule{Profile: use.Profile}
	case st != nil && st.Hands:
		return nil
	case st != nil && st.Use != "":
		rule = &Rule{Profile: st.Use}
	}
	if rule == nil {
		var prob *Problem
		var warnings []*Problem
		rule, prob, warnings = Lookup(r.Dir, r.Home, r.Source.Dirs(), r.Trust)
		for _, w := range warnings {
			r.warn(w)
		}
		if prob == nil && rule != nil && !r.Source.Defined(rule.Profile) {
			prob = newProblem(fmt.Sprintf("%s names profile %s, which %s does not define", rule.Source(), rule.Profile, ShowPath(r.Source.ConfigPath())), "undefined", rule.Dir, rule.Profile)
			rule = nil
		}
		if prob != nil {
			r.warn(prob)
		}
	}
	if rule == nil {
		// Outside any tree, or in one that cannot be used: never leave
		// another tree's account active here.
		if st != nil {
			r.restore(st)
		}
		return nil
	}

	renewing := st != nil && !st.Hands && st.Profile == rule.Profile && st.Region == rule.Region
	if renewing && use == nil && !r.expiring() {
		// The shell came here because its check time passed (or the
		// directory changed): without a new one, every prompt from now on
		// would start awsx again, e.g. after AWSX_MIN_TTL was lowered.
		r.setCheck(r.expiry())
		return nil
	}
	vars, expires, err := r.Source.Switch(rule.Profile, rule.Region)
	if err != nil {
		if use != nil {
			return errors.New(oneLine(err.Error()))
		}
		r.warn(newProblem(err.Error(), "switch", rule.Profile, r.Env["AWSX_EXPIRATION"], err.Error()))
		if renewing {
			// The credentials may still hold for a while: keep them and
			// try again later.
			r.set(CheckVar, strconv.FormatInt(r.Now.Add(retryAfter).Unix(), 10))
			return nil
		}
		if st != nil {
			r.restore(st)
		}
		return nil
	}
	if use != nil {
		if use.Off {
			st.Use = ""
		} else {
			if st == nil {
				st = &state{}
			}
			st.Use = use.Profile
		}
	}
	r.apply(st, rule, HookVars(vars), expires, renewing && use == nil)
	return nil
}

// expiry is when the shell's credentials expire, zero when unknown.
func (r *hookRun) expiry() time.Time {
	exp, err := strconv.ParseInt(r.Env["AWSX_EXPIRATION"], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(exp, 0)
}

// expiring reports whether the shell's credentials are within MinTTL of
// their expiry.
func (r *hookRun) expiring() bool {
	exp := r.expiry()
	return !exp.IsZero() && !r.Now.Add(r.MinTTL).Before(exp)
}

// setCheck tells the shell when a prompt in an unchanged directory runs
// awsx again: MinTTL before expires, but never sooner than a retry from
// now, so that credentials shorter than MinTTL cost one run a retry, not
// one a prompt. Nothing is checked for credentials that do not expire.
func (r *hookRun) setCheck(expires time.Time) {
	if expires.IsZero() {
		r.unset(CheckVar)
		return
	}
	check := expires.Add(-r.MinTTL)
	if min := r.Now.Add(retryAfter); check.Before(min) {
		check = min
	}
	r.set(CheckVar, strconv.FormatInt(check.Unix(), 10))
}

// restore puts back the environment from before awsx and drops the
// bookkeeping.
func (r *hookRun) restore(st *state) {
	secrets, ok := r.prevSecrets(st)
	lostKey := !ok && contains(st.Secret, "AWS_SECRET_ACCESS_KEY")
	for _, n := range st.names() {
		v := st.Prev[n]
		if s, isSecret := secrets[n]; isSecret && contains(st.Secret, n) {
			v = &s
		}
		// A key id without its secret key is only an error for the SDKs.
		if v != nil && !(lostKey && n == "AWS_ACCESS_KEY_ID") {
			r.set(n, *v)
		} else {
			r.unset(n)
		}
	}
	if !ok {
		r.warn(newProblem(fmt.Sprintf("the previous keys could not be restored in this shell (it is not the one that entered the tree): %s unset", strings.Join(lost(st.Secret, lostKey), ", ")), "secrets", st.SecretSum))
	}
	if len(st.Secret) > 0 {
		r.setLocal(prevSecretsLocal, "")
	}
	r.unset(StateVar)
	r.unset(CheckVar)
	r.unset(ColorVar)
}

// apply switches to rule's profile with vars. The first switch records the
// previous value of everything it may touch; later switches start again
// from those values, so nothing of the last profile survives. A renewal
// (same profile) keeps the region as the shell has it: the user may have
// changed it by hand.
func (r *hookRun) apply(st *state, rule *Rule, vars []Assignment, expires time.Time, renewal bool) {
	if st == nil {
		st = &state{}
	}
	var secrets map[string]string
	first := st.Prev == nil
	if first {
		st.Prev = map[string]*string{}
		secrets = map[string]string{}
	} else if s, ok := r.prevSecrets(st); ok {
		secrets = s
	}
	recorded := false
	record := func(n string) {
		if _, ok := st.Prev[n]; ok {
			return
		}
		v := r.lookup(n)
		st.Prev[n] = v
		// A secret stays out of the state (an empty value hides
		// nothing). One that cannot join the ones recorded (a new
		// process without them) is not kept anywhere: leaving unsets it.
		if v != nil && *v != "" && secretVars[n] {
			st.Prev[n] = nil
			if secrets != nil {
				secrets[n] = *v
				st.Secret = append(st.Secret, n)
				recorded = true
			}
		}
	}
	for _, n := range managedVars {
		record(n)
	}
	for _, a := range vars {
		record(a.Name)
	}
	if recorded {
		sort.Strings(st.Secret)
		st.SecretSum = fingerprint(st.Secret, mapLookup(secrets))
		r.setLocal(prevSecretsLocal, encodeSecrets(secrets))
	} else if first {
		// Whatever an earlier state left there is no longer anyone's.
		r.setLocal(prevSecretsLocal, "")
	}
	next := map[string]*string{}
	for n, v := range st.Prev {
		if keptUnlessSet[n] || !isManaged(n) {
			next[n] = v
		} else {
			next[n] = nil
		}
	}
	for _, a := range vars {
		if a.Unset {
			next[a.Name] = nil
		} else {
			v := a.Value
			next[a.Name] = &v
		}
	}
	if renewal {
		for n := range keptUnlessSet {
			next[n] = r.lookup(n)
		}
	}
	for _, n := range st.names() {
		if v := next[n]; v != nil {
			r.set(n, *v)
		} else {
			r.unset(n)
		}
	}
	st.Sum = handSum(func(n string) *string { return next[n] })
	st.Profile, st.Region, st.Hands = rule.Profile, rule.Region, false
	r.set(StateVar, st.encode())
	r.setCheck(expires)
	if c := normalColor(r.Source.Color(rule.Profile)); c != "" {
		r.set(ColorVar, c)
	} else {
		r.unset(ColorVar)
	}
}

// prevSecrets returns the previous values of st's secret variables, which
// the hook passed in PrevSecretsEnv; ok is false when the shell does not
// hold the ones st recorded (a new process, or something else entirely).
func (r *hookRun) prevSecrets(st *state) (secrets map[string]string, ok bool) {
	if len(st.Secret) == 0 {
		return map[string]string{}, true
	}
	m, err := decodeSecrets(r.Env[PrevSecretsEnv])
	if err != nil || fingerprint(st.Secret, mapLookup(m)) != st.SecretSum {
		return nil, false
	}
	return m, true
}

func mapLookup(m map[string]string) func(string) *string {
	return func(n string) *string {
		if v, ok := m[n]; ok {
			return &v
		}
		return nil
	}
}

// lost names the variables a restore without the secrets unsets.
func lost(secret []string, keyID bool) []string {
	names := append([]string(nil), secret...)
	if keyID {
		names = append([]string{"AWS_ACCESS_KEY_ID"}, names...)
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isManaged(name string) bool {
	for _, n := range managedVars {
		if n == name {
			return true
		}
	}
	return false
}

// normalColor accepts the colours awsx_prompt_info knows: the eight
// terminal colour names and #rrggbb (returned without #). Anything else is
// dropped, so the hook never hands a shell a colour it would misread.
func normalColor(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white":
		return c
	}
	c = strings.TrimPrefix(c, "#")
	if len(c) != 6 {
		return ""
	}
	for _, r := range c {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return ""
		}
	}
	return c
}

// oneLine keeps a message on one line whatever an error from below holds.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// EnvMap turns an environment list (KEY=value) into a map; later entries
// win, as in the process environment.
func EnvMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}
