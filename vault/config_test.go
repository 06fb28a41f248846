package vault

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t testing.TB, text string) *Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const teamConfig = `
# shared by the team
[default]
region = us-east-1

[profile bastion]
region = eu-west-1
mfa_serial = arn:aws:iam::111111111111:mfa/alice
mfa_process = pass otp aws

[profile prod]
source_profile = bastion
role_arn = arn:aws:iam::222222222222:role/AssumableAdmin
duration_seconds = 28800
external_id = ext-1
role_session_name = alice
awsx_color = red
awsx_dirs = ~/infra/prod, ~/work/*/prod

[profile deep]
source_profile = prod
role_arn = arn:aws:iam::333333333333:role/Deep

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-admin]
sso_session = acme
sso_account_id = 111111111111
sso_role_name = AdministratorAccess

[profile legacy-sso]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = ReadOnly

[profile sso-only]
sso_session = acme

[profile tool]
credential_process = awsx export --format json prod

[profile ci]
credential_source = Environment
role_arn = arn:aws:iam::555555555555:role/Deployer
`

func TestProfileResolution(t *testing.T) {
	c := writeConfig(t, teamConfig)
	if got, want := strings.Join(c.Names(), ","), "bastion,ci,deep,default,legacy-sso,prod,sso-admin,sso-only,tool"; got != want {
		t.Fatalf("Names() = %s, want %s", got, want)
	}
	tests := []struct {
		name, kind, source, region string
		check                      func(t *testing.T, p *Profile)
	}{
		{name: "bastion", kind: "iam-user", region: "eu-west-1", check: func(t *testing.T, p *Profile) {
			if p.MFASerial == "" || p.MFAProcess != "pass otp aws" {
				t.Errorf("mfa: %q %q", p.MFASerial, p.MFAProcess)
			}
		}},
		{name: "prod", kind: "role", source: "bastion", region: "eu-west-1", check: func(t *testing.T, p *Profile) {
			if p.Duration != 8*time.Hour || p.ExternalID != "ext-1" || p.RoleSessionName != "alice" || p.Color != "red" {
				t.Errorf("prod: %+v", p)
			}
			if strings.Join(p.Dirs, "|") != "~/infra/prod|~/work/*/prod" {
				t.Errorf("dirs: %q", p.Dirs)
			}
		}},
		{name: "deep", kind: "role", source: "prod", region: "eu-west-1"},
		{name: "sso-admin", kind: "sso", check: func(t *testing.T, p *Profile) {
			if p.SSOStartURL != "https://acme.awsapps.com/start" || p.SSORegion != "eu-west-1" || strings.Join(p.SSOScopes, ",") != "sso:account:access" {
				t.Errorf("sso session: %+v", p)
			}
		}},
		{name: "legacy-sso", kind: "sso", check: func(t *testing.T, p *Profile) {
			if p.SSOStartURL != "https://old.awsapps.com/start" || p.SSOAccountID != "444444444444" {
				t.Errorf("legacy sso: %+v", p)
			}
		}},
		{name: "sso-only", kind: "sso"},
		{name: "tool", kind: "process"},
		{name: "ci", kind: "role"},
		{name: "default", kind: "iam-user", region: "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.Profile(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind() != tt.kind {
				t.Errorf("Kind() = %s, want %s", p.Kind(), tt.kind)
			}
			src := ""
			if p.Source != nil {
				src = p.Source.Name
			}
			if src != tt.source {
				t.Errorf("source = %q, want %q", src, tt.source)
			}
			if r := effectiveRegion(p); r != tt.region {
				t.Errorf("region = %q, want %q", r, tt.region)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestProfileErrors(t *testing.T) {
	c := writeConfig(t, `
[profile a]
source_profile = b
role_arn = arn:aws:iam::1:role/a
[profile b]
source_profile = a
role_arn = arn:aws:iam::1:role/b
[profile orphan]
source_profile = nowhere
role_arn = arn:aws:iam::1:role/x
[profile norole]
source_profile = user
[profile nosource]
role_arn = arn:aws:iam::1:role/x
[profile user]
region = eu-west-1
[profile words]
source_profile = user
role_arn = arn:aws:iam::1:role/x
duration_seconds = lots
[profile short]
credential_source = Environment
role_arn = arn:aws:iam::1:role/x
duration_seconds = 60
`)
	tests := map[string]string{
		"a":        `profile "a": source_profile loop a -> b -> a in `,
		"orphan":   `profile "orphan": source_profile "nowhere" is not in `,
		"norole":   `profile "norole": source_profile "user" needs a role_arn to assume in `,
		"nosource": `profile "nosource": role_arn needs source_profile or credential_source in `,
		"words":    `profile "words": duration_seconds "lots" is not a number of seconds in `,
		"short":    `profile "short": duration_seconds 60 is outside 900-43200 in `,
		"orphn":    `profile "orphn" is not in ` + c.Path + `; did you mean "orphan"?`,
		"zzzzzzzz": `profile "zzzzzzzz" is not in ` + c.Path,
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := c.Profile(name)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error = %v, want prefix %q", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestMalformedConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[profile x\nregion=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil || !strings.Contains(err.Error(), path+" is malformed") {
		t.Fatalf("error = %v", err)
	}
}

func TestMissingConfigIsEmpty(t *testing.T) {
	c, err := LoadConfig(filepath.Join(t.TempDir(), "none"))
	if err != nil || len(c.Names()) != 0 {
		t.Fatalf("LoadConfig(missing) = %v, %v", c.Names(), err)
	}
	if _, err := c.Profile("prod"); err == nil {
		t.Fatal("a profile resolved from an empty config")
	}
}

// FuzzProfile resolves every profile of arbitrary config files: whatever
// the input, no panic, and every error is one line that names a profile or
// the file.
func FuzzProfile(f *testing.F) {
	f.Add(teamConfig)
	f.Add("[profile a]\nsource_profile=a\nrole_arn=x\n")
	f.Add("[default]\nregion=\n[profile ]\n")
	f.Add("[sso-session s]\nsso_start_url=u\n[profile p]\nsso_session=s\nsso_account_id=1\nsso_role_name=r\n")
	f.Add("[profile p]\nduration_seconds=99999999999999999999\nrole_arn=r\ncredential_source=Environment\n")
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), path) {
				t.Fatalf("load error not one line naming the file: %q", err)
			}
			return
		}
		for _, name := range c.Names() {
			p, err := c.Profile(name)
			if err != nil {
				if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "profile") {
					t.Fatalf("profile %q: error not one line naming the profile: %q", name, err)
				}
				continue
			}
			_ = p.Kind()
			_ = fingerprint(p)
			// The provider chain is built from it without a panic, and a
			// refusal is one line naming a profile. Nothing here reaches
			// the keyring or the network.
			v := &Vault{Config: c, Env: func(string) string { return "" }}
			if _, err := v.provider(context.Background(), p, Options{}, true); err != nil {
				if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "profile") {
					t.Fatalf("profile %q: chain error not one line naming the profile: %q", name, err)
				}
			}
		}
	})
}

// An STS answer without credentials is an error, never a nil dereference.
func TestFromSTSWithoutCredentials(t *testing.T) {
	if _, err := fromSTS(nil, "", "AssumeRole"); err != errNoCredentials {
		t.Fatalf("fromSTS(nil) = %v", err)
	}
}
