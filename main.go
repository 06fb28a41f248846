// Command awsx gives a developer in a multi-account AWS organisation one
// login a day and short-lived credentials everywhere: every secret and
// session lives in the OS keyring, and commands get credentials injected.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/internal/argv"
	_ "github.com/awsx-cli/awsx/internal/earlyexec"   // for its init: see the package
	_ "github.com/awsx-cli/awsx/internal/earlyprompt" // for its init: see the package
	"github.com/awsx-cli/awsx/internal/items"
	_ "github.com/awsx-cli/awsx/internal/keystart" // for its init: see the package
	"github.com/awsx-cli/awsx/shells/prompt"
	"github.com/awsx-cli/awsx/vault"
	"github.com/awsx-cli/awsx/vault/warm"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Globals are the options every command sees.
type Globals struct {
	Debug   bool   `help:"Explain what awsx does (never prints secrets)."`
	Backend string `help:"Keyring backend: ${backends}." env:"AWSX_BACKEND" placeholder:"NAME"`
}

// CLI is awsx's grammar.
type CLI struct {
	Globals

	Exec       ExecCmd       `cmd:"" help:"Run a command with a profile's credentials."`
	Export     ExportCmd     `cmd:"" help:"Print a profile's credentials for eval, or as credential_process JSON."`
	Add        AddCmd        `cmd:"" help:"Store an IAM user's access key in the keyring."`
	Login      LoginCmd      `cmd:"" help:"Start a profile's session now (MFA code or SSO login)."`
	Logout     LogoutCmd     `cmd:"" help:"Forget cached sessions and SSO logins; keys stay."`
	Remove     RemoveCmd     `cmd:"" help:"Delete an IAM user's access key from the keyring."`
	Rotate     RotateCmd     `cmd:"" help:"Replace an IAM user's access key with a new one."`
	List       ListCmd       `cmd:"" aliases:"ls" help:"Show every profile and the state of its session."`
	Console    ConsoleCmd    `cmd:"" help:"Open the AWS console signed in as a profile."`
	Config     ConfigCmd     `cmd:"" help:"Manage the AWS config file."`
	Hook       HookCmd       `cmd:"" help:"Print the shell hook that switches profiles on cd."`
	Use        UseCmd        `cmd:"" help:"Switch the current shell to a profile, or back with --off (needs the hook)."`
	Trust      TrustCmd      `cmd:"" help:"Trust a directory tree's .awsx marker, or forget it with --revoke."`
	Prompt     PromptCmd     `cmd:"" help:"Print the active profile for a prompt, e.g. prod 222222222222 7h41m."`
	Completion CompletionCmd `cmd:"" help:"Print a shell completion script."`
	Version    VersionCmd    `cmd:"" help:"Print awsx's version."`
	Profiles   ProfilesCmd   `cmd:"" name:"__profiles" hidden:""`
	HookEnv    HookEnvCmd    `cmd:"" name:"hook-env" hidden:"" help:"Run by the shell hook."`
}

// hotCommands are the commands run at every SDK client start (export as
// credential_process), every exec, every prompt and cd (the hook) and every
// TAB. quickParse parses their usual lines without kong; the others parse
// with a grammar of their command alone, because building kong's model
// costs in proportion to the grammar, about 1 ms for all of it.
var hotCommands = map[string]string{
	"exec": "Exec", "export": "Export", "prompt": "Prompt", "hook-env": "HookEnv", "__profiles": "Profiles",
}

// grammarFor returns the grammar to parse the line of command name with,
// and its globals: the whole CLI, or for a hot command a struct of the
// globals and that command's field of CLI, tags and all, so both parse
// the same way.
func grammarFor(name string) (any, *Globals) {
	field, hot := hotCommands[name]
	if !hot {
		cli := &CLI{}
		return cli, &cli.Globals
	}
	t := reflect.TypeOf(CLI{})
	globals, _ := t.FieldByName("Globals")
	cmd, _ := t.FieldByName(field)
	globals.Index, cmd.Index = nil, nil
	v := reflect.New(reflect.StructOf([]reflect.StructField{globals, cmd}))
	return v.Interface(), v.Elem().Field(0).Addr().Interface().(*Globals)
}

// app is what a command needs from the process, passed in rather than read
// from the os package deep inside, so tests control all of it.
type app struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  *os.File
	Env    []string
	Now    func() time.Time
	Home   string

	globals *Globals
	ctx     context.Context // cancelled by Ctrl-C and SIGTERM
	// neverAsk: the command runs from a shell hook, where a prompt would
	// hang the user's prompt, even though stdin is the terminal.
	neverAsk bool
	cfg      *vault.Config
	v        *vault.Vault
}

func (a *app) getenv(name string) string {
	val := ""
	for _, kv := range a.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			val = v
		}
	}
	return val
}

func (a *app) configPath() string { return items.ConfigPath(a.Home, a.getenv) }

// config reads the AWS config file; it never opens the keyring.
func (a *app) config() (*vault.Config, error) {
	if a.cfg == nil {
		cfg, err := vault.LoadConfig(a.configPath())
		if err != nil {
			return nil, err
		}
		a.cfg = cfg
	}
	return a.cfg, nil
}

// interactive reports whether awsx may ask the user anything.
func (a *app) interactive() bool {
	return a.Stdin != nil && (isatty.IsTerminal(a.Stdin.Fd()) || isatty.IsCygwinTerminal(a.Stdin.Fd()))
}

func (a *app) stderrIsTerminal() bool {
	f, ok := a.Stderr.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// vault returns the vault; its keyring opens only when an item is read.
func (a *app) vault() (*vault.Vault, error) {
	if a.v != nil {
		return a.v, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	minTTL, ok := warm.MinTTL(a.getenv)
	if !ok {
		return nil, fmt.Errorf("AWSX_MIN_TTL %q is not a duration such as 5m", a.getenv("AWSX_MIN_TTL"))
	}
	var prompt, secret func(string) (string, error)
	if a.interactive() && !a.neverAsk {
		prompt, secret = a.promptLine, a.promptSecret
	}
	a.v = &vault.Vault{
		Config: cfg,
		Keyring: vault.NewKeyring(vault.KeyringOptions{
			Backend:    a.globals.Backend,
			FileDir:    items.FileDir(a.Home, a.getenv),
			Passphrase: a.getenv("AWSX_FILE_PASSPHRASE"),
			Prompt:     secret,
		}),
		Locker: vault.Locker{Dir: filepath.Join(a.Home, ".awsx", "locks")},
		Env:    a.getenv,
		Stderr: a.Stderr,
		Now:    a.Now,
		MinTTL: minTTL,
		Debug:  a.globals.Debug,
		Prompt: prompt,
		OpenURL: func(url string) error {
			return a.openURL(url)
		},
		Terminal: a.stderrIsTerminal(),
	}
	if warm.Eligible(a.getenv) {
		a.v.Warm = func(profile string) (dir, key string) {
			in := warm.Inputs{Env: a.Env, Home: a.Home, ConfigPath: cfg.Path, Config: cfg.Sum(), Profile: profile}
			return warm.IndexDir(a.Home), in.Key()
		}
	}
	return a.v, nil
}

func (a *app) promptLine(prompt string) (string, error) {
	_ = a.ctx.Done() // Ctrl-C is caught from before the prompt shows
	fmt.Fprint(a.Stderr, prompt)
	return a.answer(func() (string, error) {
		line, err := bufio.NewReader(a.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("no answer read: %w", err)
		}
		return strings.TrimSpace(line), nil
	})
}

func (a *app) promptSecret(prompt string) (string, error) {
	_ = a.ctx.Done() // Ctrl-C is caught from before the prompt shows
	fmt.Fprint(a.Stderr, prompt)
	fd := int(a.Stdin.Fd())
	// ReadPassword turns echo off until it returns; an interrupted read
	// never returns, so the terminal is put back here.
	if state, err := term.GetState(fd); err == nil {
		defer func() { _ = term.Restore(fd, state) }()
	}
	return a.answer(func() (string, error) {
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(a.Stderr)
		if err != nil {
			return "", fmt.Errorf("no answer read: %w", err)
		}
		return string(b), nil
	})
}

// answer waits for read, or for Ctrl-C: awsx catches SIGINT to stop
// cleanly, so a read from the terminal would otherwise outlive it.
func (a *app) answer(read func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := read()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-a.ctx.Done():
		fmt.Fprintln(a.Stderr)
		return "", a.ctx.Err()
	}
}

// credentials resolves a profile for a command.
func (a *app) credentials(ctx context.Context, profile string, o vault.Options) (vault.Credentials, error) {
	v, err := a.vault()
	if err != nil {
		return vault.Credentials{}, err
	}
	o.Interactive = o.Interactive || a.interactive()
	return v.Credentials(ctx, profile, o)
}

// ExecCmd is `awsx exec`.
type ExecCmd struct {
	Profile  string        `arg:"" help:"Profile whose credentials the command gets." predictor:"profile"`
	Duration time.Duration `help:"Session length, e.g. 1h or 8h (default: the profile's duration_seconds)." placeholder:"D"`
	Region   string        `help:"Region for the command (AWS_REGION)." placeholder:"R"`
	Server   bool          `help:"Serve credentials from a local endpoint that renews them, instead of passing keys (for long jobs)."`
	MFAToken string        `name:"mfa-token" help:"MFA code, when the session needs one." placeholder:"CODE"`
	Command  []string      `arg:"" optional:"" passthrough:"" help:"Command and arguments, after --; default: your $${SHELL}."`
}

// Run resolves the profile and replaces awsx with the command.
func (c *ExecCmd) Run(ctx context.Context, a *app) error {
	argv := c.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		argv = []string{inject.DefaultShell(a.getenv)}
	}
	if c.Server {
		return runServer(ctx, a, c, argv)
	}
	creds, err := a.credentials(ctx, c.Profile, vault.Options{Duration: c.Duration, Region: c.Region, MFAToken: c.MFAToken})
	if err != nil {
		return err
	}
	return inject.Run(argv, inject.Environ(a.Env, inject.Vars(creds, c.Region)))
}

// ExportCmd is `awsx export`.
type ExportCmd struct {
	Profile  string        `arg:"" help:"Profile to export." predictor:"profile"`
	Format   string        `help:"Output: env (sh, bash, zsh), fish, powershell, or json (credential_process)." enum:"env,fish,powershell,json" default:"env"`
	Duration time.Duration `help:"Session length, e.g. 1h." placeholder:"D"`
	Region   string        `help:"Region to export." placeholder:"R"`
	MFAToken string        `name:"mfa-token" help:"MFA code, when the session needs one." placeholder:"CODE"`
}

// Run prints the profile's credentials in the chosen format.
func (c *ExportCmd) Run(ctx context.Context, a *app) error {
	creds, err := a.credentials(ctx, c.Profile, vault.Options{Duration: c.Duration, Region: c.Region, MFAToken: c.MFAToken})
	if err != nil {
		return err
	}
	out, err := inject.Export(c.Format, creds, c.Region)
	if err != nil {
		return err
	}
	_, err = io.WriteString(a.Stdout, out)
	return err
}

// AddCmd is `awsx add`.
type AddCmd struct {
	Profile string `arg:"" help:"Profile the IAM user's key belongs to."`
	Env     bool   `help:"Read the key from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of asking."`
}

// Run stores the key and makes sure the config has the profile.
func (c *AddCmd) Run(a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	id, secret, err := a.readKey(c.Env)
	if err != nil {
		return err
	}
	if err := v.AddKeys(c.Profile, id, secret); err != nil {
		return fmt.Errorf("profile %q: %w", c.Profile, err)
	}
	added, err := v.Config.EnsureProfile(c.Profile)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "awsx: stored the access key of %s in the %s keyring\n", c.Profile, v.Keyring.Backend())
	if added {
		fmt.Fprintf(a.Stderr, "awsx: added [profile %s] to %s\n", c.Profile, v.Config.Path)
	}
	return nil
}

// readKey reads an IAM user's access key from the environment (--env) or
// the terminal, the secret without echo.
func (a *app) readKey(fromEnv bool) (id, secret string, err error) {
	id, secret = a.getenv("AWS_ACCESS_KEY_ID"), a.getenv("AWS_SECRET_ACCESS_KEY")
	switch {
	case fromEnv && (id == "" || secret == ""):
		return "", "", errors.New("--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set")
	case fromEnv:
		return id, secret, nil
	case !a.interactive():
		return "", "", errors.New("no terminal to ask for the key on; use 'awsx add --env' with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set")
	}
	if id, err = a.promptLine("Access key ID: "); err != nil {
		return "", "", err
	}
	if secret, err = a.promptSecret("Secret access key: "); err != nil {
		return "", "", err
	}
	return id, secret, nil
}

// LoginCmd is `awsx login`.
type LoginCmd struct {
	Profile   string `arg:"" help:"Profile to log in (the bastion, or any profile that needs it)." predictor:"profile"`
	NoBrowser bool   `help:"Print the SSO sign-in URL instead of opening a browser."`
	MFAToken  string `name:"mfa-token" help:"MFA code." placeholder:"CODE"`
}

// Run establishes the profile's session and says until when it holds.
func (c *LoginCmd) Run(ctx context.Context, a *app) error {
	creds, err := a.credentials(ctx, c.Profile, vault.Options{MFAToken: c.MFAToken, Interactive: true, NoBrowser: c.NoBrowser, Login: true})
	var le *vault.LoginRequiredError
	if errors.As(err, &le) {
		// Naming 'awsx login' would send the user round in a circle.
		return fmt.Errorf("%s: %s and there is no terminal to ask on; run this in a terminal, or give the code with --mfa-token or mfa_process", le.Login, le.Reason)
	}
	if err != nil {
		return err
	}
	until := "with long-term keys that do not expire"
	if creds.CanExpire() {
		until = fmt.Sprintf("until %s (%s)", creds.Expires.Local().Format("15:04 MST, Jan 2"), remaining(creds.Expires.Sub(a.Now())))
	}
	account := ""
	if creds.AccountID != "" {
		account = " in account " + creds.AccountID
	}
	fmt.Fprintf(a.Stderr, "awsx: %s is logged in%s %s\n", c.Profile, account, until)
	return nil
}

// LogoutCmd is `awsx logout`.
type LogoutCmd struct {
	Profile string `arg:"" optional:"" help:"Profile to log out, with every profile that goes through it; default: all." predictor:"profile"`
}

// Run drops the sessions.
func (c *LogoutCmd) Run(a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	removed, err := v.Logout(c.Profile)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "awsx: dropped %d cached session(s)\n", len(removed))
	return nil
}

// RemoveCmd is `awsx remove`.
type RemoveCmd struct {
	Profile string `arg:"" help:"Profile whose access key to delete." predictor:"profile"`
	Force   bool   `short:"f" help:"Do not ask."`
}

// Run deletes the keys, after asking.
func (c *RemoveCmd) Run(a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	if has, err := v.HasKeys(c.Profile); err != nil {
		return err
	} else if !has {
		return fmt.Errorf("profile %q has no access key in the keyring", c.Profile)
	}
	if !c.Force {
		if err := a.confirm(fmt.Sprintf("Delete the access key of %s from the keyring?", c.Profile), "awsx remove "+c.Profile+" --force"); err != nil {
			return err
		}
	}
	if err := v.RemoveKeys(c.Profile); err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "awsx: deleted the access key of %s\n", c.Profile)
	return nil
}

// confirm asks before a deletion; anything but yes deletes nothing.
// Without a terminal it names the command that needs no answer.
func (a *app) confirm(question, unasked string) error {
	if !a.interactive() {
		return fmt.Errorf("no terminal to confirm on; use '%s'", unasked)
	}
	answer, err := a.promptLine(question + " [y/N] ")
	if err != nil {
		return err
	}
	if a := strings.ToLower(answer); a != "y" && a != "yes" {
		return errors.New("nothing deleted")
	}
	return nil
}

// RotateCmd is `awsx rotate`.
type RotateCmd struct {
	Profile  string `arg:"" help:"IAM-user profile whose access key to replace." predictor:"profile"`
	MFAToken string `name:"mfa-token" help:"MFA code." placeholder:"CODE"`
}

// Run rotates the key.
func (c *RotateCmd) Run(ctx context.Context, a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	oldID, newID, err := v.Rotate(ctx, c.Profile, vault.Options{MFAToken: c.MFAToken, Interactive: a.interactive()})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Stderr, "awsx: %s now uses access key %s; %s is deleted\n", c.Profile, newID, oldID)
	return nil
}

// ListCmd is `awsx list`.
type ListCmd struct {
	JSON bool `name:"json" help:"Print JSON for scripts."`
}

// Run prints the profiles.
func (c *ListCmd) Run(a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	rows, keyErr := v.List()
	if keyErr != nil {
		fmt.Fprintf(a.Stderr, "awsx: warning: sessions not shown: %v\n", keyErr)
	}
	if c.JSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []vault.Status{}
		}
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKIND\tSOURCE\tACCOUNT\tROLE\tSESSION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Kind, dash(r.Source), dash(r.Account), dash(r.Role), sessionText(r, a.Now()))
	}
	return tw.Flush()
}

func sessionText(r vault.Status, now time.Time) string {
	switch {
	case r.Session == "active" && r.Expires != nil:
		return remaining(r.Expires.Sub(now)) + " left"
	case r.Kind == "iam-user" && r.HasKeys && r.Session == "none":
		return "keys stored"
	case r.Kind == "iam-user" && !r.HasKeys && r.Session == "none":
		return "no keys"
	}
	return r.Session
}

// remaining formats time left the way prompts show it: 7h41m, 12m, 30s.
func remaining(d time.Duration) string { return prompt.ExpiresIn(int64(d / time.Second)) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// VersionCmd is `awsx version`.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(a *app) error {
	fmt.Fprintf(a.Stdout, "awsx %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func newParser(grammar any, stdout, stderr io.Writer) (*kong.Kong, error) {
	return kong.New(grammar,
		kong.Name("awsx"),
		kong.Description("One login a day, short-lived AWS credentials everywhere, every secret in the OS keyring."),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Vars{"backends": strings.Join(vault.Backends, ", ")},
		kong.Writers(stdout, stderr),
		// Help and --version end the run through run's recover, so tests
		// never lose the process.
		kong.Exit(func(code int) { panic(exitRequest(code)) }),
	)
}

// exitRequest is how kong's help asks to end the run.
type exitRequest int

// run is main without the exit, for tests: it returns the exit status.
func run(args []string, stdin *os.File, stdout, stderr io.Writer, env []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			code, ok := r.(exitRequest)
			if !ok {
				fmt.Fprintf(stderr, "awsx: error: internal error: %v; please report it\n", r)
				status = 70
				return
			}
			status = int(code)
		}
	}()
	if len(args) == 0 {
		args = []string{"--help"}
	}
	cmd, _, _ := argv.Parse(args)
	command, globals, ok := quickParse(args, os.LookupEnv)
	if !ok {
		grammar, g := grammarFor(cmd)
		parser, err := newParser(grammar, stdout, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "awsx: error: %v\n", err)
			return 2
		}
		kctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintf(stderr, "awsx: error: %v\n", err)
			fmt.Fprintln(stderr, "awsx: hint: run 'awsx --help' for the commands and their flags")
			return 2
		}
		command, globals = kongCommand{kctx}, g
	}
	home, _ := os.UserHomeDir()
	a := &app{Stdout: stdout, Stderr: stderr, Stdin: stdin, Env: env, Now: time.Now, globals: globals,
		neverAsk: cmd == "hook-env" || cmd == "use"}
	if h := a.getenv("HOME"); h != "" {
		home = h
	}
	a.Home = home
	ctx := newInterruptContext()
	defer ctx.stop()
	a.ctx = ctx
	return report(stderr, command.Run(ctx, a))
}

// kongCommand runs the command kong parsed, with what its Run asks for.
type kongCommand struct{ kctx *kong.Context }

func (k kongCommand) Run(ctx context.Context, a *app) error {
	k.kctx.BindTo(ctx, (*context.Context)(nil))
	return k.kctx.Run(a)
}

// report prints err the one way awsx prints errors and maps it to an exit
// status.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var exit *inject.ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintf(stderr, "awsx: error: %s\n", strings.ReplaceAll(exit.Err.Error(), "\n", " "))
		}
		return exit.Code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "awsx: interrupted; nothing was stored")
		return 130
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "awsx: error: %s\n", msg)
	var le *vault.LoginRequiredError
	var nk *vault.NoKeysError
	switch {
	case errors.As(err, &le):
		fmt.Fprintf(stderr, "awsx: hint: run '%s' in a terminal\n", le.Command())
	case errors.As(err, &nk):
	case errors.Is(err, vault.ErrWrongPassphrase):
		fmt.Fprintln(stderr, "awsx: hint: check AWSX_FILE_PASSPHRASE; nothing in the keyring was changed")
	}
	return 1
}

// takeEnv returns the process environment for run, and removes from the
// process itself what no library may see: keyring secrets (the keyring
// library starts pass, gpg and dbus-launch with the process environment)
// and the profile variables (the SDK would take AWS_PROFILE as an explicit
// profile; awsx always names the profile itself). run still has them all.
func takeEnv() []string {
	env := os.Environ()
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if vault.IsKeyringVariable(name) || name == "AWS_PROFILE" || name == "AWS_DEFAULT_PROFILE" {
			os.Unsetenv(name)
		}
	}
	return env
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, takeEnv()))
}
