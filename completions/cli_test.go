package completions

import (
	"testing"

	"github.com/alecthomas/kong"
)

// testCLI mirrors the grammar of SPEC §4 closely enough to exercise every
// kind of completion: nested commands, an alias, hidden commands and flags,
// enums on flags and positionals, profile positionals and flags, a
// directory, and exec's passthrough command line.
type testCLI struct {
	Debug   bool   `help:"Log what awsx does, without secrets."`
	Backend string `help:"Keyring backend." env:"AWSX_BACKEND"` // values from Options.Values, as in main.go
	Secret  bool   `hidden:""`

	Exec struct {
		Duration string   `help:"Session duration."`
		Region   string   `help:"Region."`
		Server   bool     `help:"Serve credentials instead of exporting them."`
		MFAToken string   `name:"mfa-token" help:"MFA code."`
		Profile  string   `arg:"" help:"Profile."`
		Command  []string `arg:"" optional:"" passthrough:"" help:"Command to run."`
	} `cmd:"" aliases:"x" help:"Run a command with credentials."`
	Export struct {
		Format   string `help:"Output format." enum:"env,fish,powershell,json" default:"env"`
		Duration string `help:"Session duration."`
		Profile  string `arg:""`
	} `cmd:"" help:"Print credentials for eval."`
	Add struct {
		Env     bool   `help:"Read keys from the environment."`
		Profile string `arg:""`
	} `cmd:"" help:"Store an IAM user's keys."`
	Login struct {
		NoBrowser bool   `help:"Print the URL."`
		Profile   string `arg:""`
	} `cmd:"" help:"Log in now."`
	Logout struct {
		Profile string `arg:"" optional:""`
	} `cmd:"" help:"Drop cached sessions."`
	Remove struct {
		Force   bool   `short:"f" help:"Do not ask."`
		Profile string `arg:""`
	} `cmd:"" help:"Delete long-term keys."`
	Rotate struct {
		Name string `arg:"" predictor:"profile"`
	} `cmd:"" help:"Rotate an access key."`
	List struct {
		JSON bool `name:"json" help:"JSON output."`
	} `cmd:"" help:"List profiles."`
	Console struct {
		Print      bool   `help:"Print the URL."`
		SwitchRole bool   `help:"Switch-role URL."`
		Profile    string `arg:""`
	} `cmd:"" help:"Open the console."`
	Config struct {
		Generate struct {
			SSOStartURL   string `name:"sso-start-url" required:"" help:"SSO start URL."`
			SSORegion     string `name:"sso-region" required:"" help:"SSO region."`
			Role          string `help:"Role to assume."`
			SourceProfile string `help:"Bastion profile."`
			Duration      string `help:"Session duration."`
		} `cmd:"" help:"Write profiles for every account."`
	} `cmd:"" help:"Edit the config file."`
	Hook struct {
		Shell string `arg:"" enum:"bash,zsh,fish"`
	} `cmd:"" help:"Print the shell hook."`
	Use struct {
		Off     bool   `help:"Switch back."`
		Profile string `arg:"" optional:""`
	} `cmd:"" help:"Switch this shell."`
	Trust struct {
		Revoke bool   `help:"Forget the marker."`
		Dir    string `arg:"" optional:""`
	} `cmd:"" help:"Trust a .awsx marker."`
	Prompt struct {
		Format string `help:"Template."`
	} `cmd:"" help:"Print the prompt segment."`
	Completion struct {
		Shell string `arg:"" enum:"bash,zsh,fish"`
	} `cmd:"" help:"Print a completion script."`
	Version struct{} `cmd:"" help:"Print the version."`

	Profiles struct{} `cmd:"" name:"__profiles" hidden:""`
}

// testApp builds the kong model of testCLI.
func testApp(t testing.TB) *kong.Application {
	t.Helper()
	var cli testCLI
	k, err := kong.New(&cli, kong.Name("awsx"), kong.Exit(func(int) { t.Fatal("kong exited") }))
	if err != nil {
		t.Fatal(err)
	}
	return k.Model
}

// generate returns the test CLI's script for shell.
func generate(t testing.TB, shell string) string {
	t.Helper()
	s, err := Generate(shell, testApp(t), Options{Values: map[string][]string{"backend": backends}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
