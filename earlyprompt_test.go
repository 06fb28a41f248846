package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/internal/earlyprompt"
)

// checkEarly fails when earlyprompt answers args other than main would:
// another output, or an answer where main fails. It reports whether
// earlyprompt answered. main parses these lines with quickParse, which
// FuzzQuickParse holds to kong's own parse.
func checkEarly(t *testing.T, args []string, env []string) bool {
	t.Helper()
	// The environment as main reads it, from the same list.
	got, ok := earlyprompt.Answer(args, (&app{Env: env}).getenv, time.Now())
	if !ok {
		return false
	}
	var stdout, stderr bytes.Buffer
	if status := run(args, nil, &stdout, &stderr, env); status != 0 {
		t.Fatalf("earlyprompt answered %q, which main fails (status %d): %s", args, status, stderr.String())
	}
	if got != stdout.String() || stderr.Len() > 0 {
		t.Fatalf("earlyprompt answered %q with %q; main printed %q and %q", args, got, stdout.String(), stderr.String())
	}
	return true
}

// activeEnv is a shell in prod whose session ends half a minute past a
// whole minute from now, so that both answers fall in the same minute.
func activeEnv() []string {
	exp := time.Now().Add(7*time.Hour + 41*time.Minute + 30*time.Second).Unix()
	return []string{"AWSX_PROFILE=prod", "AWSX_ACCOUNT_ID=222222222222", "AWS_REGION=eu-west-1",
		"AWSX_EXPIRATION=" + strconv.FormatInt(exp, 10)}
}

func TestEarlyPromptMatchesKong(t *testing.T) {
	answered := []string{
		"prompt", "prompt --format {profile}", "prompt --format={region}", "prompt --format=",
		"prompt --format {profile}@{account}/{region}:{expires_in}", "prompt --format {nope}",
		"prompt --format=--x", "prompt --format={profile",
	}
	for _, env := range [][]string{activeEnv(), nil, {"AWSX_PROFILE=dev", "AWSX_EXPIRATION=1"}} {
		for _, line := range answered {
			if !checkEarly(t, strings.Fields(line), env) {
				t.Errorf("earlyprompt left %q to main", line)
			}
		}
		for _, format := range []string{"", "{profile} ({expires_in})", " {account}  {region} "} {
			if !checkEarly(t, []string{"prompt", "--format", format}, env) {
				t.Errorf("earlyprompt left --format %q to main", format)
			}
		}
	}
	left := []string{
		"", "--debug prompt", "prompt --debug", "prompt --help", "prompt -h", "prompt --format",
		"prompt --format -x", "prompt --format a --format b", "prompt x", "prompt --nope",
		"--backend file prompt", "prompt --format=a b", "version", "export prod",
	}
	for _, line := range left {
		if checkEarly(t, strings.Fields(line), activeEnv()) {
			t.Errorf("earlyprompt answered %q", line)
		}
	}
	if checkEarly(t, []string{"prompt", "--format", "\xff{profile}"}, activeEnv()) {
		t.Error("earlyprompt answered a format that is not UTF-8")
	}
}

// FuzzEarlyPrompt: a line that earlyprompt answers, main answers the same.
// The line's words are separated by NUL bytes, so that a word (a format)
// can hold spaces.
func FuzzEarlyPrompt(f *testing.F) {
	for _, line := range []string{
		"prompt", "prompt\x00--format\x00{profile}", "prompt\x00--format={region}  {account}", "prompt\x00--format= {",
		"prompt\x00--format\x00-", "prompt\x00--format=\xff", "prompt\x00--format\x00{expires_in}}{{profile}",
		"prompt\x00--format\x00 {profile} ({expires_in}) ", "prompt\x00--format\x00",
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		// A fresh clock for each line: both answers fall in one minute.
		checkEarly(t, strings.Split(line, "\x00"), activeEnv())
	})
}

// TestEarlyPromptBeforeSDK builds the real binary (the test binary imports
// earlyprompt itself, whatever main.go does) and checks with the runtime's
// own trace of package initialisation that `awsx prompt` answers before
// the libraries' packages initialise.
func TestEarlyPromptBeforeSDK(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "awsx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	trace := func(args ...string) (string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(activeEnv(), "GODEBUG=inittrace=1", "HOME="+t.TempDir())
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("awsx %s: %v: %s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	late := []string{"github.com/aws/aws-sdk-go-v2/service/", "github.com/aws/smithy-go ",
		"github.com/alecthomas/kong ", "github.com/99designs/keyring "}
	for _, args := range [][]string{{"prompt"}, {"prompt", "--format", "{profile}"}} {
		stdout, stderr := trace(args...)
		if !strings.HasPrefix(stdout, "prod") || !strings.Contains(stderr, "init runtime ") {
			t.Fatalf("awsx %q printed %q, and traced %q", args, stdout, stderr)
		}
		for _, pkg := range late {
			if strings.Contains(stderr, "init "+pkg) {
				t.Errorf("awsx %q initialised %s before it answered", args, pkg)
			}
		}
	}
	// The trace does list them on main's path, so their absence above means something.
	if _, stderr := trace("--debug", "prompt"); !strings.Contains(stderr, "init "+late[0]) {
		t.Errorf("main's prompt initialised no %s*: %s", late[0], stderr)
	}
}
