package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWaitLockBoundWithoutTerminal: an awsx that may not ask anything
// waits for another holding the lock (it may be fetching the session), but
// not for ever: that one may sit at an MFA prompt nobody answers. With a
// terminal the person decides how long to wait.
func TestWaitLockBoundWithoutTerminal(t *testing.T) {
	old := noTerminalWait
	noTerminalWait = 300 * time.Millisecond
	t.Cleanup(func() { noTerminalWait = old })
	var stderr bytes.Buffer
	v := &Vault{Locker: Locker{Dir: t.TempDir()}, Stderr: &stderr}
	held, err := v.Locker.Lock(context.Background(), "session/prod")
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	_, err = v.waitLock(context.Background(), "session/prod", "getting prod's session", noTerminalWait)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "another awsx has been at getting prod's session for over 300ms") {
		t.Fatalf("without a terminal: %v", err)
	}
	if took < noTerminalWait || took > 5*time.Second {
		t.Errorf("gave up after %s", took)
	}
	if got := stderr.String(); got != "awsx: waiting for another awsx to finish getting prod's session\n" {
		t.Errorf("stderr %q", got)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start = time.Now()
	_, err = v.waitLock(ctx, "session/prod", "getting prod's session", 0)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 2*time.Second {
		t.Fatalf("with a terminal it should wait for its own context: %v after %s", err, time.Since(start))
	}

	// Once the holder is done, the waiter gets the lock.
	go func() { time.Sleep(100 * time.Millisecond); held() }()
	unlock, err := v.waitLock(context.Background(), "session/prod", "getting prod's session", noTerminalWait)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

// TestWaitLockUnusableLockFile: a lock that cannot be taken at all is an
// error at once, not a wait for another awsx that does not exist.
func TestWaitLockUnusableLockFile(t *testing.T) {
	dir := t.TempDir()
	blocked := dir + "/file"
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	v := &Vault{Locker: Locker{Dir: blocked + "/locks"}, Stderr: &stderr}
	if _, err := v.waitLock(context.Background(), "session/prod", "getting prod's session", noTerminalWait); err == nil {
		t.Fatal("no error for a lock directory under a file")
	}
	if stderr.Len() != 0 {
		t.Errorf("it said it waits: %q", stderr.String())
	}
}
