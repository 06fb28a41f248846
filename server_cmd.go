package main

import (
	"context"

	"github.com/awsx-cli/awsx/exec"
	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/vault"
)

// runServer is `awsx exec --server`: the first session is made here, where
// awsx may still ask for an MFA code; renewals run behind the server and
// never ask, so a login that lapses mid-job shows as an error the SDK
// reports rather than a prompt nobody sees.
func runServer(ctx context.Context, a *app, c *ExecCmd, argv []string) error {
	o := vault.Options{Duration: c.Duration, Region: c.Region, MFAToken: c.MFAToken}
	creds, err := a.credentials(ctx, c.Profile, o)
	if err != nil {
		return err
	}
	v, err := a.vault()
	if err != nil {
		return err
	}
	// Renewals run where nobody watches: they may neither ask nor open a
	// browser, whatever the first session could do.
	quiet := *v
	quiet.Prompt, quiet.OpenURL = nil, nil
	srv, err := exec.NewServer(func(ctx context.Context) (vault.Credentials, error) {
		return quiet.Credentials(ctx, c.Profile, vault.Options{Duration: c.Duration, Region: c.Region})
	})
	if err != nil {
		return err
	}
	// Renew exactly when the vault stops serving the cached session, so
	// each renewal is a real one.
	srv.RenewWindow = v.MinTTL
	env := inject.Environ(a.Env, inject.ServerVars(creds, c.Region))
	// The child handles Ctrl-C itself; awsx must outlive it to serve it.
	code, err := exec.RunWithServer(context.WithoutCancel(ctx), srv, exec.ServerCommand{
		Argv: argv, Env: env, Stdin: a.Stdin, Stdout: a.Stdout, Stderr: a.Stderr,
	})
	if err != nil && code != 0 {
		// 127 or 126, as a shell reports a command it could not run.
		return &inject.ExitError{Code: code, Err: err}
	}
	if err != nil {
		return err
	}
	if code != 0 {
		return &inject.ExitError{Code: code}
	}
	return nil
}
