package main

import (
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/awsx-cli/awsx/internal/earlyexec"
)

// kongLine parses args with main's own grammar for their command, as run
// does when quickParse declines, and returns the command's fields and the
// globals; ok is false where kong refuses the line.
func kongLine(args []string) (cmd reflect.Value, g *Globals, ok bool) {
	if len(args) == 0 {
		return reflect.Value{}, nil, false
	}
	grammar, g := grammarFor(args[0])
	parser, err := newParser(grammar, io.Discard, io.Discard)
	if err != nil {
		return reflect.Value{}, nil, false
	}
	defer func() {
		if recover() != nil { // help asked for: kong's exit
			ok = false
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil || len(kctx.Path) < 2 {
		return reflect.Value{}, nil, false
	}
	return reflect.ValueOf(grammar).Elem().Field(1), g, true
}

// checkEarlyParse fails when earlyexec takes a line that main's kong
// grammar does not parse to the same run: that command, that profile and
// command, and every other flag at its default. It reports whether
// earlyexec took the line.
func checkEarlyParse(t *testing.T, args []string) bool {
	t.Helper()
	line, ok := earlyexec.Parse(args)
	if !ok {
		return false
	}
	cmd, g, parsed := kongLine(args)
	if !parsed {
		t.Fatalf("earlyexec took %q, which kong refuses", args)
	}
	if g.Debug {
		t.Fatalf("earlyexec took %q, which sets --debug", args)
	}
	if line.Hook != "" && cmd.Type() != reflect.TypeOf(HookEnvCmd{}) {
		t.Fatalf("earlyexec read %q as a hook-env line; kong as %s", args, cmd.Type())
	}
	switch c := cmd.Addr().Interface().(type) {
	case *ExecCmd:
		command := c.Command
		if len(command) > 0 && command[0] == "--" {
			command = command[1:] // as ExecCmd.Run drops it
		}
		if line.Export || line.Profile != c.Profile || !slices.Equal(line.Command, command) ||
			c.Duration != 0 || c.Region != "" || c.Server || c.MFAToken != "" {
			t.Fatalf("earlyexec read %q as %+v; kong as %+v", args, line, *c)
		}
	case *ExportCmd:
		if !line.Export || line.Profile != c.Profile || c.Format != "json" || c.Duration != 0 || c.Region != "" || c.MFAToken != "" {
			t.Fatalf("earlyexec read %q as %+v; kong as %+v", args, line, *c)
		}
	case *HookEnvCmd:
		if line.Hook != c.Shell || line.Warned != c.Warned || line.Profile != "" || line.Export {
			t.Fatalf("earlyexec read %q as %+v; kong as %+v", args, line, *c)
		}
	default:
		t.Fatalf("earlyexec took %q, which kong parses to %T", args, c)
	}
	return true
}

func TestEarlyExecParseMatchesKong(t *testing.T) {
	t.Setenv("AWSX_BACKEND", "file")
	taken := []string{
		"exec prod", "exec prod --", "exec prod -- true", "exec prod -- sls deploy --stage prod",
		"exec prod true", "exec prod ls -la --region x", "exec prod -- --region", "exec prod -- -- x",
		"exec dev.x_y-z -- env", "export prod --format json", "export --format json prod",
		"export --format=json prod", "export prod --format=json",
		"hook-env bash", "hook-env zsh --warned=", "hook-env fish --warned=a:b", "hook-env bash --warned=--x",
	}
	for _, l := range taken {
		if !checkEarlyParse(t, strings.Fields(l)) {
			t.Errorf("earlyexec left %q to main", l)
		}
	}
	left := []string{
		"", "exec", "exec --", "exec -- prod", "exec --region x prod", "exec prod --region x -- true",
		"exec prod --server -- true", "exec prod --duration 1h", "exec prod -h", "exec --help prod",
		"--debug exec prod", "--backend file exec prod", "exec prod -x", "export prod",
		"export prod --format env", "export prod --format json --region x", "export prod --format",
		"export --format json", "export prod extra --format json", "export --format json --format json prod",
		"export -- prod --format json", "prompt", "version", "use prod --shell bash",
		"hook-env", "hook-env sh", "hook-env bash --warned x", "hook-env bash --warned", "hook-env --warned= bash",
		"hook-env bash --warned=a --warned=b", "hook-env bash extra", "--debug hook-env bash",
	}
	for _, l := range left {
		if checkEarlyParse(t, strings.Fields(l)) {
			t.Errorf("earlyexec took %q", l)
		}
	}
	if checkEarlyParse(t, []string{"exec", "prod", "--", "echo", "\xff"}) {
		t.Error("earlyexec took a word that is not UTF-8")
	}
	if checkEarlyParse(t, []string{"exec", "", "--", "true"}) {
		t.Error("earlyexec took an empty profile")
	}
}

// FuzzEarlyExecParse: a line earlyexec takes, kong parses to the same run.
// Words are separated by NUL bytes.
func FuzzEarlyExecParse(f *testing.F) {
	for _, l := range []string{
		"exec\x00prod", "exec\x00prod\x00--\x00true", "exec\x00prod\x00ls\x00-la", "export\x00prod\x00--format\x00json",
		"export\x00--format=json\x00prod", "exec\x00-\x00--", "exec\x00prod\x00--region=x", "export\x00p\x00--format=json\x00x",
		"hook-env\x00bash\x00--warned=a b", "hook-env\x00zsh\x00--warned=\xff",
	} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkEarlyParse(t, strings.Split(line, "\x00"))
	})
}

// TestEarlyExecInitOrder builds the real binary (the test binary links
// more) and reads the runtime's trace of package initialisation: the early
// exec, export and hook-env run before the SDK's endpoint tables, kong and
// the keyring library initialise, and the key's head start begins before
// path/filepath, behind which several of the SDK's packages come.
func TestEarlyExecInitOrder(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "awsx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = []string{"GODEBUG=inittrace=1", "HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("awsx version: %v: %s", err, stderr.String())
	}
	order := map[string]int{}
	for i, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
			if _, seen := order[f[1]]; !seen {
				order[f[1]] = i
			}
		}
	}
	at := func(pkg string) int {
		i, ok := order[pkg]
		if !ok {
			t.Fatalf("the trace has no %s: %s", pkg, stderr.String())
		}
		return i
	}
	early := at("github.com/awsx-cli/awsx/internal/earlyexec")
	for pkg, i := range order {
		late := strings.HasSuffix(pkg, "/internal/endpoints") && strings.Contains(pkg, "/service/") ||
			pkg == "github.com/alecthomas/kong" || pkg == "github.com/99designs/keyring"
		if late && i < early {
			t.Errorf("%s initialises before internal/earlyexec", pkg)
		}
	}
	if at("github.com/awsx-cli/awsx/internal/keystart") > at("path/filepath") {
		t.Error("internal/keystart initialises after path/filepath")
	}
}
