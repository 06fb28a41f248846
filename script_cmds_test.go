//go:build !windows

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/99designs/keyring"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsx-cli/awsx/vault"
)

// reliabilityCommands are the testscript commands of the reliability
// scripts (testdata/script/reliability_*.txtar): many processes at once,
// processes killed mid-write, damaged keyring files, real keyring backends.
//
//	parallel [-max M] [-hold ITEM -until RE] N CMD [ARG...]
//	    run N copies of CMD at once (at most M at a time), fail if any
//	    fails; their stdouts and stderrs, concatenated, become the
//	    command's. -hold takes awsx's lock on keyring item ITEM first and
//	    releases it only once every copy's stderr matches RE, so all N
//	    provably run while the lock is taken.
//	crash-writes [-strace SYSCALLS [-expect old|new]] N CMD [ARG...]
//	    N times: start CMD and kill -9 it, after a random delay, or with
//	    -strace on entering the first of SYSCALLS (comma-separated); after
//	    each kill every item of the file keyring must still open and no
//	    item may be lost; -expect old: no item changed, new: one did.
//	keyring-items
//	    print the file keyring's item names, one a line, failing if any
//	    does not open with AWSX_FILE_PASSPHRASE
//	corrupt FILE header|key|iv|ciphertext|tag|empty|garbage
//	    damage a file-keyring item: one character of one part of the
//	    encrypted item changed, or the whole file replaced
//	keyring-backend
//	    switch the script to the backend AWSX_TEST_BACKEND names in the
//	    test's own environment (with that backend's environment), or stay
//	    on the file backend; prints the backend in use
//	stopwatch start | stopwatch under DURATION
//	    a sanity bound on how long the commands in between took
//	tty-interrupt TEXT CMD [ARG...]
//	    run CMD in a real terminal (a tmux pane), wait until TEXT shows on
//	    it, press Ctrl-C, and wait for CMD to end; the pane's text goes to
//	    tty.pane, "exit N" to tty.exit, and the terminal's echo flag
//	    afterwards (echo or -echo) to tty.echo
func reliabilityCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"parallel":        cmdParallel,
		"crash-writes":    cmdCrashWrites,
		"keyring-items":   cmdKeyringItems,
		"corrupt":         cmdCorrupt,
		"keyring-backend": cmdKeyringBackend,
		"stopwatch":       cmdStopwatch,
		"tty-interrupt":   cmdTTYInterrupt,
	}
}

// scriptEnviron returns the script's environment. testscript does not
// export it, so it asks env(1) under the script's environment; the
// script's stdout is overwritten by that, and every command here replaces
// it anyway.
func scriptEnviron(ts *testscript.TestScript) []string {
	ts.Check(ts.Exec("env", "-0"))
	var env []string
	for _, kv := range strings.Split(ts.ReadFile("stdout"), "\x00") {
		if kv != "" {
			env = append(env, kv)
		}
	}
	return env
}

// scriptCommand builds CMD to run in the script's directory with its
// environment, the way testscript's exec would.
func scriptCommand(ts *testscript.TestScript, env []string, args []string) *exec.Cmd {
	path := args[0]
	for _, kv := range env {
		if p, ok := strings.CutPrefix(kv, "PATH="); ok {
			// Look the command up on the script's PATH, not the test's.
			for _, dir := range filepath.SplitList(p) {
				if fi, err := os.Stat(filepath.Join(dir, args[0])); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
					path = filepath.Join(dir, args[0])
					break
				}
			}
		}
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Env = env
	cmd.Dir = ts.MkAbs(".")
	return cmd
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// parallelWait bounds how long parallel waits for its copies to reach the
// lock. It is a hang detector, not a timing assertion: on a loaded 2-core
// machine fifty AWS CLI starts take seconds, not minutes.
const parallelWait = 3 * time.Minute

func cmdParallel(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("parallel", flag.ContinueOnError)
	max := fs.Int("max", 0, "copies running at once (default all)")
	hold := fs.String("hold", "", "keyring item whose lock is held until -until matches")
	until := fs.String("until", "", "regexp each copy's stderr must match before the lock is released")
	if neg || fs.Parse(args) != nil || fs.NArg() < 2 || (*hold == "") != (*until == "") {
		ts.Fatalf("usage: parallel [-max M] [-hold ITEM -until RE] N CMD [ARG...]")
	}
	n, err := strconv.Atoi(fs.Arg(0))
	ts.Check(err)
	if *max <= 0 || *max > n {
		*max = n
	}
	if *hold != "" && *max != n {
		ts.Fatalf("parallel: -hold needs all %d copies running at once", n)
	}
	env := scriptEnviron(ts)
	var lockRelease func()
	var untilRE *regexp.Regexp
	if *hold != "" {
		untilRE, err = regexp.Compile(*until)
		ts.Check(err)
		// The same lock awsx takes (vault.Locker in ~/.awsx/locks).
		locker := vault.Locker{Dir: filepath.Join(ts.Getenv("HOME"), ".awsx", "locks")}
		lockRelease, err = locker.Lock(context.Background(), *hold)
		ts.Check(err)
		defer func() {
			if lockRelease != nil {
				lockRelease()
			}
		}()
	}

	type run struct {
		cmd            *exec.Cmd
		stdout, stderr lockedBuffer
		err            error
	}
	runs := make([]*run, n)
	slots := make(chan struct{}, *max)
	var wg sync.WaitGroup
	for i := range runs {
		r := &run{cmd: scriptCommand(ts, env, fs.Args()[1:])}
		r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
		runs[i] = r
		slots <- struct{}{}
		if err := r.cmd.Start(); err != nil {
			ts.Fatalf("parallel: start copy %d: %v", i+1, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.err = r.cmd.Wait()
			<-slots
		}()
	}
	if untilRE != nil {
		deadline := time.Now().Add(parallelWait)
		for {
			waiting := 0
			for _, r := range runs {
				if untilRE.MatchString(r.stderr.String()) {
					waiting++
				}
			}
			if waiting == n {
				break
			}
			if time.Now().After(deadline) {
				ts.Fatalf("parallel: after %s only %d of %d copies printed %q", parallelWait, waiting, n, *until)
			}
			time.Sleep(20 * time.Millisecond)
		}
		ts.Logf("all %d copies printed %q while %s was locked", n, *until, *hold)
		lockRelease()
		lockRelease = nil
	}
	wg.Wait()

	var out, errOut strings.Builder
	var failed []string
	for i, r := range runs {
		out.WriteString(r.stdout.String())
		errOut.WriteString(r.stderr.String())
		if r.err != nil {
			failed = append(failed, fmt.Sprintf("copy %d: %v\n%s", i+1, r.err, r.stderr.String()))
		}
	}
	fmt.Fprint(ts.Stdout(), out.String())
	fmt.Fprint(ts.Stderr(), errOut.String())
	if len(failed) > 0 {
		ts.Fatalf("parallel: %d of %d copies failed; the first:\n%s", len(failed), n, failed[0])
	}
}

// fileKeyring opens the script's file keyring with the library itself, not
// through awsx, so a check does not trust the code it checks.
func fileKeyring(ts *testscript.TestScript) (keyring.Keyring, string) {
	dir := ts.Getenv("AWSX_FILE_DIR")
	pass := ts.Getenv("AWSX_FILE_PASSPHRASE")
	if dir == "" || pass == "" {
		ts.Fatalf("the script has no file keyring (AWSX_FILE_DIR, AWSX_FILE_PASSPHRASE)")
	}
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: keyring.FixedStringPrompt(pass),
	})
	ts.Check(err)
	return ring, dir
}

// checkItems opens every item of the file keyring and returns their names
// and the number of staging directories that interrupted writes left. An
// item that does not open, or whose content is not a JSON object, is
// broken: exactly what an interrupted write must never leave.
func checkItems(ts *testscript.TestScript) (names []string, staging int, problems []string) {
	ring, _ := fileKeyring(ts)
	all, err := ring.Keys()
	ts.Check(err)
	for _, n := range all {
		if strings.HasPrefix(n, ".tmp-") {
			staging++
			continue
		}
		names = append(names, n)
		it, err := ring.Get(n)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", n, err))
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(it.Data, &obj); err != nil {
			problems = append(problems, fmt.Sprintf("%s: content is not JSON: %v", n, err))
		}
	}
	slices.Sort(names)
	return names, staging, problems
}

func cmdKeyringItems(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: keyring-items")
	}
	names, _, problems := checkItems(ts)
	if len(problems) > 0 {
		ts.Fatalf("broken keyring items:\n%s", strings.Join(problems, "\n"))
	}
	for _, n := range names {
		fmt.Fprintln(ts.Stdout(), n)
	}
}

// crashDelayMax bounds crash-writes' random delays: a multiple of how
// long one clean run takes, measured first, so kills land before, during
// and after the write on any machine.
const crashDelayMax = 1.5

func cmdCrashWrites(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("crash-writes", flag.ContinueOnError)
	syscalls := fs.String("strace", "", "kill on entering the first of these system calls instead of after a delay")
	expect := fs.String("expect", "", "old: no item may change; new: some item must change")
	if neg || fs.Parse(args) != nil || fs.NArg() < 2 || !slices.Contains([]string{"", "old", "new"}, *expect) {
		ts.Fatalf("usage: crash-writes [-strace SYSCALLS [-expect old|new]] N CMD [ARG...]")
	}
	n, err := strconv.Atoi(fs.Arg(0))
	ts.Check(err)
	cmdArgs := fs.Args()[1:]
	env := scriptEnviron(ts)
	before, _, problems := checkItems(ts)
	if len(problems) > 0 {
		ts.Fatalf("broken keyring items before any crash:\n%s", strings.Join(problems, "\n"))
	}

	var clean time.Duration
	if *syscalls == "" {
		start := time.Now()
		c := scriptCommand(ts, env, cmdArgs)
		if out, err := c.CombinedOutput(); err != nil {
			ts.Fatalf("crash-writes: a clean run of %s fails: %v\n%s", strings.Join(cmdArgs, " "), err, out)
		}
		clean = time.Since(start)
	} else {
		// strace -f follows the Go runtime's threads; inject kills the
		// whole process on entering the system call, before it runs.
		inject := fmt.Sprintf("inject=%s:signal=KILL", *syscalls)
		cmdArgs = append([]string{"strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + *syscalls, "-e", inject}, cmdArgs...)
	}

	midWrite := 0
	_, stagingBefore, _ := checkItems(ts)
	for i := range n {
		contents := itemContents(ts)
		c := scriptCommand(ts, env, cmdArgs)
		var out lockedBuffer
		c.Stdout, c.Stderr = &out, &out
		// A process group, so the kill reaches a shell's children too.
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		ts.Check(c.Start())
		if *syscalls == "" {
			time.Sleep(time.Duration(rand.Float64() * crashDelayMax * float64(clean)))
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		}
		err := c.Wait()
		if *syscalls != "" {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || !killed(ee) {
				ts.Fatalf("crash-writes: %s was not killed at %s (%v):\n%s", strings.Join(cmdArgs, " "), *syscalls, err, out.String())
			}
		}
		names, staging, problems := checkItems(ts)
		if len(problems) > 0 {
			ts.Fatalf("after kill %d of %d: broken keyring items:\n%s", i+1, n, strings.Join(problems, "\n"))
		}
		for _, b := range before {
			if !slices.Contains(names, b) {
				ts.Fatalf("after kill %d of %d: item %s is gone", i+1, n, b)
			}
		}
		changed := 0
		for name, data := range itemContents(ts) {
			if !bytes.Equal(data, contents[name]) {
				changed++
			}
		}
		if *expect == "old" && changed > 0 || *expect == "new" && changed == 0 {
			ts.Fatalf("after kill %d of %d: %d items changed; want the %s items", i+1, n, changed, *expect)
		}
		// A new staging directory means this kill landed inside a write.
		if staging > stagingBefore {
			midWrite++
		}
		stagingBefore = staging
	}
	ts.Logf("crash-writes: %d kills (a clean run takes %s), %d of them inside a write", n, clean.Round(time.Millisecond), midWrite)
}

// itemContents returns the decrypted data of every file-keyring item.
func itemContents(ts *testscript.TestScript) map[string][]byte {
	ring, _ := fileKeyring(ts)
	names, _, _ := checkItems(ts)
	out := map[string][]byte{}
	for _, n := range names {
		it, err := ring.Get(n)
		ts.Check(err)
		out[n] = it.Data
	}
	return out
}

// killed reports whether strace's child died of SIGKILL: strace then
// kills itself with the same signal, so its own status shows it.
func killed(ee *exec.ExitError) bool {
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func cmdCorrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: corrupt FILE header|key|iv|ciphertext|tag|empty|garbage")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	switch args[1] {
	case "empty":
		// What a write without the staging rename leaves after a crash.
		ts.Check(os.WriteFile(path, nil, 0o600))
		return
	case "garbage":
		ts.Check(os.WriteFile(path, []byte("not an encrypted item\n"), 0o600))
		return
	}
	// A JWE in compact form: header.key.iv.ciphertext.tag, base64url.
	parts := strings.Split(string(data), ".")
	idx := slices.Index([]string{"header", "key", "iv", "ciphertext", "tag"}, args[1])
	if idx < 0 || len(parts) != 5 {
		ts.Fatalf("corrupt: %s has %d parts; want 5, and a part named header, key, iv, ciphertext or tag", args[0], len(parts))
	}
	p := []byte(parts[idx])
	// The middle character becomes another base64url character, so the
	// damage reaches the cryptography instead of the decoder. In the header
	// it lands in the salt or the creation date, both authenticated.
	i := len(p) / 2
	if p[i] == 'A' {
		p[i] = 'B'
	} else {
		p[i] = 'A'
	}
	parts[idx] = string(p)
	ts.Check(os.WriteFile(path, []byte(strings.Join(parts, ".")), 0o600))
}

// testBackendEnv names the variables a real backend needs from the test's
// environment: testscript gives scripts a clean one.
var testBackendEnv = []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "GNUPGHOME", "PASSWORD_STORE_DIR", "GNOME_KEYRING_CONTROL"}

func cmdKeyringBackend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: keyring-backend")
	}
	b := os.Getenv("AWSX_TEST_BACKEND")
	if b == "" || b == "file" {
		fmt.Fprintln(ts.Stdout(), "file")
		return
	}
	if strings.Contains(b, ",") {
		ts.Fatalf("AWSX_TEST_BACKEND=%q: the scripts take one backend at a time", b)
	}
	ts.Setenv("AWSX_BACKEND", b)
	for _, k := range testBackendEnv {
		if v, ok := os.LookupEnv(k); ok {
			ts.Setenv(k, v)
		}
	}
	fmt.Fprintln(ts.Stdout(), b)
}

func cmdStopwatch(ts *testscript.TestScript, neg bool, args []string) {
	switch {
	case !neg && len(args) == 1 && args[0] == "start":
		ts.Setenv("STOPWATCH_START", strconv.FormatInt(time.Now().UnixNano(), 10))
	case !neg && len(args) == 2 && args[0] == "under":
		limit, err := time.ParseDuration(args[1])
		ts.Check(err)
		start, err := strconv.ParseInt(ts.Getenv("STOPWATCH_START"), 10, 64)
		if err != nil {
			ts.Fatalf("stopwatch under: no stopwatch start before")
		}
		if took := time.Since(time.Unix(0, start)); took > limit {
			ts.Fatalf("took %s, more than %s", took.Round(time.Millisecond), limit)
		}
	default:
		ts.Fatalf("usage: stopwatch start | stopwatch under DURATION")
	}
}

var shellName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ttyWait bounds each wait of tty-interrupt; a hang detector.
const ttyWait = 30 * time.Second

func cmdTTYInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: tty-interrupt TEXT CMD [ARG...]")
	}
	want := args[0]
	work := ts.MkAbs(".")
	var script strings.Builder
	for _, kv := range scriptEnviron(ts) {
		k, v, _ := strings.Cut(kv, "=")
		if !shellName.MatchString(k) {
			continue
		}
		fmt.Fprintf(&script, "export %s=%s\n", k, shQuote(v))
	}
	// The shell outlives the Ctrl-C meant for CMD (a trap, unlike an
	// ignored signal, is not inherited).
	fmt.Fprintf(&script, "trap : INT\ncd %s || exit 99\n", shQuote(work))
	quoted := make([]string, len(args)-1)
	for i, a := range args[1:] {
		quoted[i] = shQuote(a)
	}
	fmt.Fprintf(&script, "%s\necho \"exit $?\" > tty.exit.tmp\n", strings.Join(quoted, " "))
	// The echo flag of the terminal the command leaves behind.
	script.WriteString("stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo > tty.echo\nmv tty.exit.tmp tty.exit\nsleep 60\n")
	runFile := filepath.Join(work, "tty-run.sh")
	ts.Check(os.WriteFile(runFile, []byte(script.String()), 0o600))
	exitFile := filepath.Join(work, "tty.exit")
	for _, f := range []string{exitFile, filepath.Join(work, "tty.echo"), filepath.Join(work, "tty.pane")} {
		_ = os.Remove(f)
	}
	// A socket of its own each time: a server that was just killed may
	// still be going away.
	sock, err := os.CreateTemp(work, "tmux-*.sock")
	ts.Check(err)
	sock.Close()
	os.Remove(sock.Name())
	tmux := func(a ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-S", sock.Name()}, a...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := tmux("new-session", "-d", "-x", "200", "-y", "50", "sh "+shQuote(runFile)); err != nil {
		ts.Fatalf("tty-interrupt: start tmux: %v: %s", err, out)
	}
	defer func() { _, _ = tmux("kill-server") }()
	pane := func() string { out, _ := tmux("capture-pane", "-p", "-J"); return out }
	deadline := time.Now().Add(ttyWait)
	for !strings.Contains(pane(), want) {
		if time.Now().After(deadline) {
			ts.Fatalf("tty-interrupt: %q never showed; the pane:\n%s", want, pane())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := tmux("send-keys", "C-c"); err != nil {
		ts.Fatalf("tty-interrupt: send Ctrl-C: %v: %s", err, out)
	}
	deadline = time.Now().Add(ttyWait)
	for {
		if _, err := os.Stat(exitFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			ts.Fatalf("tty-interrupt: the command did not end after Ctrl-C; the pane:\n%s", pane())
		}
		time.Sleep(50 * time.Millisecond)
	}
	text := pane()
	ts.Logf("pane:\n%s", text)
	ts.Check(os.WriteFile(filepath.Join(work, "tty.pane"), []byte(text), 0o600))
}

// shQuote quotes s for sh.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
