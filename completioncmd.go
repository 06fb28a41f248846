package main

import (
	"bufio"
	"context"
	"io"

	"github.com/alecthomas/kong"

	"github.com/awsx-cli/awsx/completions"
	"github.com/awsx-cli/awsx/vault"
)

// CompletionCmd is `awsx completion bash|zsh|fish`.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell to complete for: bash, zsh or fish."`
}

// Run prints the script generated from the parser's own model, so completion
// knows exactly the commands and flags this binary accepts.
func (c *CompletionCmd) Run(a *app, kctx *kong.Context) error {
	script, err := completions.Generate(c.Shell, kctx.Model, completions.Options{
		Bin: "awsx",
		// --backend is checked by the vault, not by a kong enum.
		Values: map[string][]string{"backend": vault.Backends},
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(a.Stdout, script)
	return err
}

// ProfilesCmd is the hidden `awsx __profiles` that completion scripts run
// to list profile names. It reads the config file only, never the keyring,
// so that pressing TAB can never prompt or unlock anything.
type ProfilesCmd struct{}

// Run prints one profile name a line.
func (ProfilesCmd) Run(_ context.Context, a *app) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(a.Stdout)
	for _, name := range cfg.Names() {
		if _, err := w.WriteString(name + "\n"); err != nil {
			return err
		}
	}
	return w.Flush()
}
