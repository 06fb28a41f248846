package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Locker serialises work on one keyring item across processes, so that
// parallel invocations needing the same session make one request. The lock
// is an advisory file lock: the kernel releases it when its holder dies, so
// a killed awsx never blocks the next one.
type Locker struct {
	Dir string
}

// Lock blocks until it holds the lock for name, or ctx ends. The returned
// function releases it.
func (l Locker) Lock(ctx context.Context, name string) (func(), error) {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock directory %s: %w", l.Dir, err)
	}
	sum := sha256.Sum256([]byte(name))
	path := filepath.Join(l.Dir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	delay := 5 * time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return func() { unlock(f); f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another awsx working on %s: %w", name, ctx.Err())
		case <-time.After(delay):
		}
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
}

// lockPatience is how long awsx waits quietly for a lock before saying
// that another awsx holds it.
const lockPatience = 300 * time.Millisecond

// noTerminalWait bounds how long an awsx that may not ask anything (a
// script, credential_process) waits for another awsx holding a session's
// lock: that one may be waiting for a person, at an MFA prompt, who has
// walked away. A variable for tests.
var noTerminalWait = 2 * time.Minute

// waitLock takes the lock of item name. When another awsx holds it, it says
// that it waits for that one to finish what (a noun phrase: "the SSO login
// to …"), and waits at most limit; zero waits as long as ctx allows.
func (v *Vault) waitLock(ctx context.Context, name, what string, limit time.Duration) (func(), error) {
	quick, cancel := context.WithTimeout(ctx, lockPatience)
	unlock, err := v.Locker.Lock(quick, name)
	cancel()
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		// Held, cancelled, or a lock file that cannot be opened: no
		// other awsx to wait for.
		return unlock, err
	}
	v.infof("waiting for another awsx to finish %s", what)
	wait := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	unlock, err = v.Locker.Lock(wait, name)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("another awsx has been at %s for over %s, perhaps waiting for an MFA code or a browser login; finish or stop it, then try again", what, limit)
	}
	return unlock, err
}
