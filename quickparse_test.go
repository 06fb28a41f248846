package main

import (
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// kongParse is what kong makes of args with the whole grammar: the
// selected command's struct and the globals.
func kongParse(args []string) (cmd any, globals Globals, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &exitError{r}
		}
	}()
	cli := &CLI{}
	parser, err := newParser(cli, io.Discard, io.Discard)
	if err != nil {
		return nil, Globals{}, err
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		return nil, Globals{}, err
	}
	return kctx.Selected().Target.Addr().Interface(), cli.Globals, nil
}

type exitError struct{ r any }

func (e *exitError) Error() string { return "kong ended the run" }

// checkQuick fails when quickParse accepts args but kong parses them to
// other values, or refuses them; it reports whether quickParse accepted.
func checkQuick(t *testing.T, args []string) bool {
	t.Helper()
	cmd, globals, ok := quickParse(args, lookupEnvOf(t))
	if !ok {
		return false
	}
	want, wantGlobals, err := kongParse(args)
	if err != nil {
		t.Fatalf("quickParse accepted %q, which kong refuses: %v", args, err)
	}
	if !reflect.DeepEqual(cmd, want) || *globals != wantGlobals {
		t.Fatalf("quickParse(%q) = %#v %+v, kong: %#v %+v", args, cmd, *globals, want, wantGlobals)
	}
	return true
}

func lookupEnvOf(t *testing.T) func(string) (string, bool) {
	t.Helper()
	return func(name string) (string, bool) {
		if name != "AWSX_BACKEND" {
			t.Fatalf("quickParse read %s, which no flag names", name)
		}
		return os.LookupEnv(name)
	}
}

func TestQuickParseMatchesKong(t *testing.T) {
	t.Setenv("AWSX_BACKEND", "")
	os.Unsetenv("AWSX_BACKEND")
	accepted := []string{
		"export prod --format json",
		"export --format=json prod",
		"export prod",
		"export prod --format env --region eu-west-1 --duration 1h30m",
		"export prod --mfa-token 123456",
		"--debug export prod --format fish",
		"export prod --debug --backend file",
		"--backend=pass exec prod -- true",
		"exec prod -- aws sts get-caller-identity --profile x",
		"exec prod aws s3 ls --recursive",
		"exec prod",
		"exec prod --",
		"exec prod -- --",
		"exec --region eu-west-1 prod -- sh -c 'echo $X'",
		"exec prod --duration 8h -- true",
		"exec --server prod -- terraform apply -auto-approve",
		"exec prod --server -- x",
		"prompt",
		"prompt --format {profile}",
		"prompt --format=",
		"--debug prompt",
		"hook-env bash --warned=",
		"hook-env zsh --warned=marker:/a,b",
		"hook-env fish --warned=-x",
		"hook-env bash --warned a",
		"__profiles",
	}
	for _, line := range accepted {
		if !checkQuick(t, strings.Fields(line)) {
			t.Errorf("quickParse declined %q", line)
		}
	}
	declined := []string{
		"", "--debug", "version", "list", "login prod", "use prod", "hook bash", "ls",
		"export", "export --help", "export prod -h", "export prod --format yaml",
		"export prod --format json --format env", "export prod -f json", "export prod extra",
		"export prod --format", "export prod --format -x", "export prod --duration soon",
		"export prod --debug=true", "export prod --nope", "--format json export prod",
		"exec", "exec -- prod", "exec prod --region", "-- exec prod", "exec -x prod",
		"hook-env", "hook-env tcsh", "hook-env bash --warned", "prompt --format -",
		"__profiles x", "export - ",
	}
	for _, line := range declined {
		if checkQuick(t, strings.Fields(line)) {
			t.Errorf("quickParse accepted %q", line)
		}
	}
	// The backend's environment variable, as kong reads it.
	t.Setenv("AWSX_BACKEND", "\xff")
	if checkQuick(t, []string{"export", "prod"}) {
		t.Error("quickParse accepted AWSX_BACKEND that is not UTF-8")
	}
	for _, val := range []string{"file", ""} {
		t.Setenv("AWSX_BACKEND", val)
		for _, line := range []string{"export prod", "exec --backend pass prod -- true"} {
			if !checkQuick(t, strings.Fields(line)) {
				t.Errorf("AWSX_BACKEND=%q: quickParse declined %q", val, line)
			}
		}
	}
}

// FuzzQuickParse: a line quickParse accepts is one kong parses the same.
func FuzzQuickParse(f *testing.F) {
	for _, line := range []string{
		"export prod --format json", "exec --region eu-west-1 prod -- true", "hook-env bash --warned=",
		"prompt --format {profile}", "--debug __profiles", "exec prod --server --duration 1h -- x -y",
		"export prod\tfile", "export prod\t", "exec --backend pass prod -- true\t\xff",
	} {
		f.Add(line)
	}
	f.Add("--backend x export prod")
	f.Fuzz(func(t *testing.T, line string) {
		// The line's last word, after a tab, is AWSX_BACKEND's value.
		line, backend, set := strings.Cut(line, "\t")
		if set {
			os.Setenv("AWSX_BACKEND", backend)
		} else {
			os.Unsetenv("AWSX_BACKEND")
		}
		defer os.Unsetenv("AWSX_BACKEND")
		checkQuick(t, strings.Split(line, " "))
	})
}
