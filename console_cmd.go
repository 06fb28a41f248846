package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	osexec "os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/awsx-cli/awsx/exec"
	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/vault"
)

// ConsoleCmd is `awsx console`.
type ConsoleCmd struct {
	Profile    string        `arg:"" help:"Profile to open the console as." predictor:"profile"`
	Print      bool          `help:"Print the URL instead of opening a browser."`
	SwitchRole bool          `name:"switch-role" help:"Give the console's switch-role URL for this profile (for teams that sign in to the bastion through SSO in the browser)."`
	Duration   time.Duration `help:"Console session length, e.g. 4h: the federation token's for an IAM user; not for role-chained sessions." placeholder:"D"`
	Region     string        `help:"Region the console opens in." placeholder:"R"`
	MFAToken   string        `name:"mfa-token" help:"MFA code, when the session needs one." placeholder:"CODE"`
}

// Run builds the sign-in or switch-role URL and opens or prints it.
func (c *ConsoleCmd) Run(ctx context.Context, a *app) error {
	cfg, err := a.config()
	if err != nil {
		return err
	}
	if c.SwitchRole {
		p, err := cfg.Profile(c.Profile)
		if err != nil {
			return err
		}
		u, err := a.switchRoleURL(p)
		if err != nil {
			return err
		}
		return a.openOrPrint(u, c.Print)
	}
	v, err := a.vault()
	if err != nil {
		return err
	}
	cs, err := v.ConsoleCredentials(ctx, c.Profile, vault.Options{Duration: c.Duration, Region: c.Region, MFAToken: c.MFAToken, Interactive: a.interactive()})
	if err != nil {
		return err
	}
	fedURL := a.getenv("AWSX_FEDERATION_URL")
	if err := checkFederationURL(fedURL); err != nil {
		return err
	}
	opts := exec.ConsoleOptions{
		FederationURL:   fedURL,
		Region:          firstNonEmpty(c.Region, cs.Region),
		Partition:       cs.Partition,
		SessionDuration: cs.SessionDuration,
		Issuer:          "awsx",
	}
	url, err := exec.ConsoleURL(ctx, cs.Credentials, opts)
	if err != nil {
		return fmt.Errorf("profile %q: %w", c.Profile, err)
	}
	return a.openOrPrint(url, c.Print)
}

// checkFederationURL refuses an override that would send the session's
// keys in clear text over the network: https, or http to this machine only
// (the tests' fake endpoint).
func checkFederationURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "https" && u.Host != "" {
		return nil
	}
	if err == nil && u.Scheme == "http" {
		switch u.Hostname() {
		case "127.0.0.1", "localhost", "::1":
			return nil
		}
	}
	return fmt.Errorf("AWSX_FEDERATION_URL %q must be an https URL (or http on 127.0.0.1 for a local test endpoint)", raw)
}

// switchRoleURL is the URL that takes a browser already signed in to the
// console (or to the SSO portal) into p's account and role: the console's
// switch-role page for a role_arn, the access portal's shortcut link for
// an SSO permission set, which no switch-role URL can reach.
func (a *app) switchRoleURL(p *vault.Profile) (string, error) {
	switch {
	case p.RoleARN != "":
		u, err := exec.SwitchRoleURL(p.RoleARN, p.Name, p.Color)
		if err != nil {
			return "", fmt.Errorf("profile %q: %w", p.Name, err)
		}
		return u, nil
	case p.SSOAccountID != "" && p.SSORoleName != "" && p.SSOStartURL != "":
		fmt.Fprintf(a.Stderr, "awsx: %s is an SSO permission set; this is its link in the AWS access portal %s\n", p.Name, p.SSOStartURL)
		return exec.PortalConsoleURL(p.SSOStartURL, p.SSOAccountID, p.SSORoleName), nil
	}
	return "", fmt.Errorf("profile %q has no role_arn or sso_account_id/sso_role_name to switch to", p.Name)
}

// openOrPrint opens url in the browser, or prints it when asked to or when
// there is no browser to open (no display, an SSH session).
func (a *app) openOrPrint(url string, print bool) error {
	if print {
		_, err := fmt.Fprintln(a.Stdout, url)
		return err
	}
	if err := a.openURL(url); err != nil {
		fmt.Fprintf(a.Stderr, "awsx: cannot open a browser (%v); open this URL:\n", err)
		_, err := fmt.Fprintln(a.Stdout, url)
		return err
	}
	return nil
}

// errNoBrowser means there is nowhere to show a page.
var errNoBrowser = errors.New("no display")

// openURL opens url with $BROWSER, or the system's opener. $BROWSER is a
// colon-separated list of commands, each taking the URL as its argument or
// in place of %s, as in Python's webbrowser and xdg-utils. awsx does not
// wait for the browser: a browser command may stay open as long as its
// window, and the SSO login polls while it is; the first command that
// starts is the one used.
func (a *app) openURL(url string) error {
	if b := a.getenv("BROWSER"); b != "" {
		var last error
		for _, cmdline := range strings.Split(b, ":") {
			fields := strings.Fields(cmdline)
			if len(fields) == 0 {
				continue
			}
			args, substituted := []string{}, false
			for _, f := range fields[1:] {
				if strings.Contains(f, "%s") {
					f, substituted = strings.ReplaceAll(f, "%s", url), true
				}
				args = append(args, f)
			}
			if !substituted {
				args = append(args, url)
			}
			cmd := osexec.Command(fields[0], args...)
			cmd.Env = a.childEnv()
			if last = startDetached(cmd); last == nil {
				return nil
			}
		}
		return last
	}
	var cmd *osexec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = osexec.Command("open", url)
	case "windows":
		cmd = osexec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	}
	if cmd != nil {
		// These return as soon as the browser has the URL, with a status
		// that says whether it did.
		cmd.Env = a.childEnv()
		return cmd.Run()
	}
	if a.getenv("DISPLAY") == "" && a.getenv("WAYLAND_DISPLAY") == "" {
		return errNoBrowser
	}
	cmd = osexec.Command("xdg-open", url)
	cmd.Env = a.childEnv()
	return startDetached(cmd)
}

// browserGrace is how long a browser command has to fail before it counts
// as started: one that cannot show the page (no display, a bad option)
// exits at once, one that can stays or hands the URL on.
const browserGrace = 500 * time.Millisecond

// startDetached starts cmd and reaps it in the background, whenever it
// ends, without holding awsx up longer than browserGrace; a command that
// exits with a failure within it is an error, so the next one is tried.
func startDetached(cmd *osexec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %v", cmd.Args[0], err)
		}
	case <-time.After(browserGrace):
	}
	return nil
}

// childEnv is awsx's environment without keyring secrets, for helpers such
// as the browser.
func (a *app) childEnv() []string {
	return inject.Environ(a.Env, nil)
}
