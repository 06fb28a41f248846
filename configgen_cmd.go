package main

import (
	"context"
	"fmt"
	"time"

	"github.com/awsx-cli/awsx/vault"
)

// ConfigCmd is `awsx config`.
type ConfigCmd struct {
	Generate ConfigGenerateCmd `cmd:"" help:"Add a profile for every account your SSO user can reach (onboarding)."`
}

// ConfigGenerateCmd is `awsx config generate`.
type ConfigGenerateCmd struct {
	SSOStartURL   string        `name:"sso-start-url" required:"" help:"Your AWS access portal URL, e.g. https://example.awsapps.com/start." placeholder:"URL"`
	SSORegion     string        `name:"sso-region" required:"" help:"Region of your IAM Identity Center." placeholder:"R"`
	Role          string        `help:"Role to use in every account: assumed through --source-profile, or the SSO permission set (default: the account's only or first role)." placeholder:"NAME"`
	SourceProfile string        `name:"source-profile" help:"Assume --role in each account with this profile's credentials (the bastion pattern)." placeholder:"NAME" predictor:"profile"`
	Duration      time.Duration `help:"duration_seconds of the assumed roles, e.g. 8h." placeholder:"D"`
	DryRun        bool          `name:"dry-run" help:"Print what would be added; change nothing."`
	NoBrowser     bool          `name:"no-browser" help:"Print the SSO sign-in URL instead of opening a browser."`
}

// Run lists the accounts and merges their profiles into the config file.
func (c *ConfigGenerateCmd) Run(ctx context.Context, a *app) error {
	v, err := a.vault()
	if err != nil {
		return err
	}
	res, err := v.GenerateConfig(ctx, vault.GenerateOptions{StartURL: c.SSOStartURL, Region: c.SSORegion, Role: c.Role,
		SourceProfile: c.SourceProfile, Duration: c.Duration, DryRun: c.DryRun, NoBrowser: c.NoBrowser})
	if err != nil {
		return err
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(a.Stderr, "awsx: skipped %s\n", s)
	}
	if c.DryRun {
		fmt.Fprint(a.Stdout, res.Text)
	} else {
		for _, g := range res.Added {
			fmt.Fprintf(a.Stdout, "added [profile %s]: account %s (%s), role %s\n", g.Name, g.AccountID, g.AccountName, g.Role)
		}
	}
	fmt.Fprintln(a.Stderr, "awsx: "+res.Summary(c.DryRun))
	return nil
}
