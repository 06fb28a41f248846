package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
