package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/shells"
	"github.com/awsx-cli/awsx/shells/prompt"
	"github.com/awsx-cli/awsx/vault"
	"github.com/awsx-cli/awsx/vault/warm"
)

// HookCmd is `awsx hook SHELL`.
type HookCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell to print the hook for: bash, zsh or fish."`
}

// Run prints the hook with the path of this binary quoted into it.
func (c *HookCmd) Run(a *app) error {
	sh, err := shells.Get(c.Shell)
	if err != nil {
		return err
	}
	fmt.Fprint(a.Stdout, sh.Hook(selfPath()))
	return nil
}

// HookEnvCmd is the hidden command the hook runs when the directory
// changed or the credentials near their expiry.
type HookEnvCmd struct {
	Shell  string `arg:"" enum:"bash,zsh,fish" help:"Shell to print assignments for."`
	Warned string `help:"Keys of the warnings this shell has shown already."`
}

// Run prints the assignments that switch the shell for its directory.
func (c *HookEnvCmd) Run(ctx context.Context, a *app) error {
	return runHook(ctx, a, c.Shell, c.Warned, nil)
}

// runHook prints what the hook evaluates for the current directory, or for
// a manual `use`.
func runHook(ctx context.Context, a *app, shell, warned string, use *shells.Use) error {
	h, err := newHook(ctx, a, shell, warned)
	if err != nil {
		return err
	}
	out, err := h.Run(use)
	if err != nil {
		return err
	}
	if use == nil {
		recordHook(a, h.Source.(*hookSource))
	}
	_, err = fmt.Fprint(a.Stdout, out)
	return err
}

// recordHook keeps what the hook's run read from the config, for package
// earlyexec to answer the next run with while awsx starts (vault/warm).
func recordHook(a *app, s *hookSource) {
	if !warm.Eligible(a.getenv) {
		return
	}
	cfg := s.cfg
	if !cfg.Unchanged() {
		return
	}
	h := warm.Hook{Key: warm.ConfigKey(a.Home, cfg.Path, cfg.Sum())}
	for _, name := range cfg.Names() {
		if !cfg.Has(name) {
			continue
		}
		h.Defined = append(h.Defined, name)
		if c := cfg.Color(name); c != "" {
			if h.Colors == nil {
				h.Colors = map[string]string{}
			}
			h.Colors[name] = c
		}
	}
	for _, r := range s.Dirs() {
		h.Dirs = append(h.Dirs, warm.DirRule{Profile: r.Profile, Pattern: r.Pattern})
	}
	_ = warm.RecordHook(warm.IndexDir(a.Home), h)
}

// UseCmd is `awsx use PROFILE` and `awsx use --off`. The hook's awsx
// function runs it with --shell and evaluates what it prints.
type UseCmd struct {
	Profile string `arg:"" optional:"" help:"Profile to switch this shell to." predictor:"profile"`
	Off     bool   `help:"Switch back: to the directory's profile, or to what the shell had before."`
	Shell   string `hidden:"" enum:",bash,zsh,fish" default:"" help:"Set by the hook's awsx function."`
}

// Run prints the assignments of the switch for the hook to apply.
func (c *UseCmd) Run(ctx context.Context, a *app) error {
	if c.Shell == "" {
		return errors.New(`'awsx use' switches the current shell, so it needs the hook: eval "$(awsx hook bash)" in ~/.bashrc (zsh: ~/.zshrc; fish: awsx hook fish | source)`)
	}
	if c.Off == (c.Profile != "") {
		return errors.New("give either a profile or --off")
	}
	return runHook(ctx, a, c.Shell, "", &shells.Use{Profile: c.Profile, Off: c.Off})
}

// TrustCmd is `awsx trust [DIR] [--revoke]`.
type TrustCmd struct {
	Dir    string `arg:"" optional:"" type:"path" help:"Directory whose .awsx marker (or its nearest parent's) to trust; default: the current one."`
	Revoke bool   `help:"Forget the marker instead."`
}

// Run trusts or forgets the nearest marker.
func (c *TrustCmd) Run(a *app) error {
	dir, err := workDir(c.Dir)
	if err != nil {
		return err
	}
	store := shells.NewTrustStore(a.Home)
	if c.Revoke {
		path, err := shells.RevokeMarker(dir, store)
		if err == nil {
			fmt.Fprintf(a.Stdout, "awsx: no longer trusting %s\n", shells.ShowPath(path))
		}
		return err
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	m, err := shells.TrustMarker(dir, store, cfg.Has)
	if err == nil {
		fmt.Fprintf(a.Stdout, "awsx: trusted %s (profile %s)\n", shells.ShowPath(m.Path), m.Profile)
	}
	return err
}

// PromptCmd is `awsx prompt [--format FMT]`.
type PromptCmd struct {
	Format string `help:"Placeholders: {profile} {account} {region} {expires_in}." default:"{profile} {account} {expires_in}" placeholder:"FMT"`
}

// Run prints the active profile from the environment; nothing when none.
func (c *PromptCmd) Run(_ context.Context, a *app) error {
	if p, ok := prompt.FromEnv(a.getenv); ok {
		fmt.Fprintln(a.Stdout, prompt.Format(c.Format, p, a.Now()))
	}
	return nil
}

// newHook gathers what one run of the hook needs from the process.
func newHook(ctx context.Context, a *app, shell, warned string) (*shells.Hook, error) {
	sh, err := shells.Get(shell)
	if err != nil {
		return nil, err
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	dir, err := workDir("")
	if err != nil {
		return nil, err
	}
	// A value that is not a duration is reported when credentials are
	// needed (vault); until then the default stands.
	minTTL := vault.DefaultMinTTL
	if d, ok := warm.MinTTL(a.getenv); ok {
		minTTL = d
	}
	return &shells.Hook{
		Shell: sh, Dir: dir, Home: a.Home, Env: shells.EnvMap(a.Env), Now: a.Now(), MinTTL: minTTL,
		Warned: warned, Source: &hookSource{ctx: ctx, a: a, cfg: cfg},
		Trust: shells.NewTrustStore(a.Home), Stderr: a.Stderr,
	}, nil
}

// hookSource answers the hook from the config and the vault's cache.
type hookSource struct {
	ctx context.Context
	a   *app
	cfg *vault.Config
	// dirs, once found: the run asks, and recordHook keeps them.
	dirs     []shells.DirRule
	dirsDone bool
}

func (s *hookSource) Defined(profile string) bool { return s.cfg.Has(profile) }

func (s *hookSource) ConfigPath() string { return s.cfg.Path }

func (s *hookSource) Dirs() []shells.DirRule {
	if s.dirsDone {
		return s.dirs
	}
	var rules []shells.DirRule
	for _, name := range s.cfg.Names() {
		// Only the few profiles with awsx_dirs are resolved (one that does
		// not resolve has no rules): this runs on every cd.
		dirs := s.cfg.Dirs(name)
		if len(dirs) == 0 {
			continue
		}
		if _, err := s.cfg.Profile(name); err != nil {
			continue
		}
		for _, d := range dirs {
			rules = append(rules, shells.DirRule{Profile: name, Pattern: d})
		}
	}
	s.dirs, s.dirsDone = rules, true
	return rules
}

func (s *hookSource) Color(profile string) string { return s.cfg.Color(profile) }

// hookWait bounds how long a prompt waits for credentials: a login in
// progress in another terminal holds the lock, and an unreachable endpoint
// retries; neither may hang the prompt.
const hookWait = 5 * time.Second

// Switch never prompts: Interactive stays false even on a terminal, so a
// needed login becomes the one-line message instead of a blocked prompt.
func (s *hookSource) Switch(profile, region string) ([]shells.Assignment, time.Time, error) {
	v, err := s.a.vault()
	if err != nil {
		return nil, time.Time{}, err
	}
	// Not derived from s.ctx itself, since that would ask for Ctrl-C,
	// which costs every switch 0.3 ms or more (interrupt.go says why).
	// Ctrl-C while the hook waits ends awsx instead, and the shell stays
	// as it was, as it does when the wait runs out.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), hookWait)
	defer cancel()
	c, err := v.Credentials(ctx, profile, vault.Options{Region: region})
	if ctx.Err() == context.DeadlineExceeded {
		return nil, time.Time{}, fmt.Errorf("%s: no credentials within %s (another awsx logging in, or AWS unreachable); the shell is unchanged", profile, hookWait)
	}
	var le *vault.LoginRequiredError
	if errors.As(err, &le) {
		return nil, time.Time{}, fmt.Errorf("%s needs '%s'", le.Profile, le.Command())
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return inject.ShellVars(c, region), c.Expires, nil
}

// workDir is dir made absolute, or the shell's working directory: $PWD
// when it names it, so that markers are found along the path the user
// took, through symlinks.
func workDir(dir string) (string, error) {
	if dir == "" {
		return os.Getwd()
	}
	return filepath.Abs(dir)
}

// selfPath is the path the hook runs awsx by: the one the user's PATH
// found (a package manager's stable symlink survives upgrades, where the
// resolved binary would not), else the running executable.
func selfPath() string {
	arg0 := os.Args[0]
	if !strings.ContainsRune(arg0, filepath.Separator) {
		if p, err := osexec.LookPath(arg0); err == nil {
			arg0 = p
		}
	}
	if strings.ContainsRune(arg0, filepath.Separator) {
		if p, err := filepath.Abs(arg0); err == nil {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "awsx"
}
