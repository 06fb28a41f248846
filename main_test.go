//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsx-cli/awsx/vault/vaulttest"
)

// TestMain makes the test binary double as the awsx binary, so scripts
// (and the real shells they start) run the real thing from PATH. The shared
// moto server exits with the test binary: it watches its stdin pipe.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"awsx": func() {
			status := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, takeEnv())
			// startup.txtar checks that a warm run never sets up signal
			// delivery (interrupt.go says why).
			if os.Getenv("AWSX_TEST_SIGNALS") != "" {
				fmt.Fprintf(os.Stderr, "awsx-test: signals asked for: %d\n", signalArms.Load())
			}
			os.Exit(status)
		},
	})
}

// TestScript runs every testdata/script/*.txtar: each one a user-visible
// behaviour, driving the real binary against moto, the fakes, the AWS CLI
// and real shells.
func TestScript(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script"))
}

func scriptParams(dir string) testscript.Params {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"no-plaintext": cmdNoPlaintext,
		"epoch-ahead":  cmdEpochAhead,
		"file-mode":    cmdFileMode,
		"json-env":     cmdJSONEnv,
		"proc-starts":  cmdProcStarts,
		"dbus-bus":     cmdDBusBus,
	}
	for _, set := range []map[string]func(*testscript.TestScript, bool, []string){
		vaulttest.Commands(), vaulttest.SSOCommands(), vaulttest.FederationCommands(), reliabilityCommands(),
	} {
		for k, v := range set {
			cmds[k] = v
		}
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Cmds:                cmds,
		Condition:           scriptCondition,
		Setup: func(env *testscript.Env) error {
			if err := vaulttest.Setup(env); err != nil {
				return err
			}
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
				return err
			}
			// pyenv's shims (the AWS CLI here) find their root through HOME,
			// which the script replaces.
			if root := pyenvRoot(); root != "" {
				env.Setenv("PYENV_ROOT", root)
			}
			env.Setenv("HOME", home)
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(home, ".aws", "config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, ".aws", "credentials"))
			env.Setenv("AWSX_BACKEND", "file")
			env.Setenv("AWSX_FILE_DIR", filepath.Join(home, ".awsx", "keys"))
			env.Setenv("AWSX_FILE_PASSPHRASE", "correct horse")
			// The AWS CLI would otherwise probe the instance metadata
			// service for a second when it finds no credentials.
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_PAGER", "")
			env.Setenv("SHELL", "/bin/sh")
			probe, err := sdkProbe()
			if err != nil {
				return err
			}
			env.Setenv("SDKPROBE", probe)
			return nil
		},
	}
}

var (
	probeOnce sync.Once
	probePath string
	probeErr  error
)

// sdkProbe builds testdata/sdkprobe, a Go SDK program, once per test run.
func sdkProbe() (string, error) {
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "awsx-sdkprobe-")
		if err != nil {
			probeErr = err
			return
		}
		probePath = filepath.Join(dir, "sdkprobe")
		out, err := exec.Command("go", "build", "-o", probePath, "./testdata/sdkprobe").CombinedOutput()
		if err != nil {
			probeErr = fmt.Errorf("build testdata/sdkprobe: %v\n%s", err, out)
		}
	})
	return probePath, probeErr
}

func pyenvRoot() string {
	if r := os.Getenv("PYENV_ROOT"); r != "" {
		return r
	}
	if h, err := os.UserHomeDir(); err == nil {
		if _, err := os.Stat(filepath.Join(h, ".pyenv")); err == nil {
			return filepath.Join(h, ".pyenv")
		}
	}
	return ""
}

// no-plaintext DIR VAR...: no file below DIR contains the value of any of
// the environment variables named (secrets the script stored).
func cmdNoPlaintext(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: no-plaintext DIR VAR...")
	}
	var needles [][]byte
	for _, name := range args[1:] {
		v := ts.Getenv(name)
		if len(v) < 8 {
			ts.Fatalf("%s is too short to search for", name)
		}
		needles = append(needles, []byte(v))
	}
	files := 0
	err := filepath.Walk(ts.MkAbs(args[0]), func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for i, n := range needles {
			if bytes.Contains(data, n) {
				ts.Fatalf("%s holds the value of %s in plaintext", path, args[1+i])
			}
		}
		return nil
	})
	ts.Check(err)
	if files == 0 {
		ts.Fatalf("no files under %s: nothing was checked", args[0])
	}
}

// epoch-ahead FILE MIN MAX: FILE holds epoch seconds between MIN and MAX
// (Go durations) from now.
func cmdEpochAhead(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: epoch-ahead FILE MIN MAX")
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(ts.ReadFile(args[0])), 10, 64)
	ts.Check(err)
	lo, err := time.ParseDuration(args[1])
	ts.Check(err)
	hi, err := time.ParseDuration(args[2])
	ts.Check(err)
	ahead := time.Until(time.Unix(secs, 0))
	if ok := ahead >= lo && ahead <= hi; ok == neg {
		ts.Fatalf("expiry is %s ahead, want between %s and %s", ahead.Round(time.Second), lo, hi)
	}
}

// file-mode PATH MODE: PATH has permission bits MODE (octal).
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: file-mode PATH MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := uint64(fi.Mode().Perm()); (got == want) == neg {
		ts.Fatalf("%s has mode %o, want %o", args[0], got, want)
	}
}

// json-env FILE FIELD VAR: sets VAR to the top-level string FIELD of the
// JSON object in FILE (e.g. an access key id from export --format json).
func cmdJSONEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: json-env FILE FIELD VAR")
	}
	var m map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &m))
	v, ok := m[args[1]].(string)
	if !ok {
		ts.Fatalf("%s has no string field %s", args[0], args[1])
	}
	ts.Setenv(args[2], v)
}

// scriptCondition answers the scripts' own conditions:
//
//	[runtimebus] a session bus in /run/user/UID, where godbus finds it
//	             whatever the script's environment says
func scriptCondition(cond string) (bool, error) {
	switch cond {
	case "runtimebus":
		dir := fmt.Sprintf("/run/user/%d", os.Getuid())
		for _, f := range []string{"bus", "dbus-session"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
