package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsx-cli/awsx/internal/items"
)

func fileRing(t *testing.T, dir, passphrase string) *Keyring {
	t.Helper()
	return NewKeyring(KeyringOptions{Backend: "file", FileDir: dir, Passphrase: passphrase})
}

// TestFileItemDamagedAnywhere changes every byte of a stored item in turn.
// Whatever the damage, reading it must not panic and must report that item
// by name as unreadable (never as a wrong passphrase, which would stop
// every command), and the other items must keep working: read, written,
// removed.
func TestFileItemDamagedAnywhere(t *testing.T) {
	dir := t.TempDir()
	k := fileRing(t, dir, "correct horse")
	mustSet(t, k, items.Session("prod"), storedSession{AccessKeyID: "ASIAPROD", SessionToken: "tok"})
	mustSet(t, k, items.Session("dev"), storedSession{AccessKeyID: "ASIADEV"})
	damageEach(t, filepath.Join(dir, "session%2Fprod"), func(what string) {
		// A fresh keyring per attempt, as each awsx process is.
		k := fileRing(t, dir, "correct horse")
		var s storedSession
		ok, err := k.get(items.Session("prod"), &s)
		var corrupt *CorruptItemError
		switch {
		case err == nil && ok && s.AccessKeyID == "ASIAPROD":
			// Bits base64 ignores at the end of a part: the same item.
		case errors.As(err, &corrupt) && corrupt.Name == items.Session("prod"):
		default:
			t.Fatalf("%s: get = %v, %+v, %v; want a CorruptItemError naming session/prod", what, ok, s, err)
		}
		var d storedSession
		if ok, err := k.get(items.Session("dev"), &d); !ok || err != nil || d.AccessKeyID != "ASIADEV" {
			t.Fatalf("%s: the undamaged item reads as %v, %+v, %v", what, ok, d, err)
		}
	})
	// Writes and removals still go through with a damaged item present.
	k = fileRing(t, dir, "correct horse")
	mustSet(t, k, items.Session("qa"), storedSession{AccessKeyID: "ASIAQA"})
	if err := k.remove(items.Session("prod")); err != nil {
		t.Fatalf("removing the damaged item: %v", err)
	}
}

// damageEach writes the file at path with each of its bytes changed in
// turn (one bit low, one in the case bit), and calls check after each.
func damageEach(t *testing.T, path string, check func(what string)) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orig {
		for _, mask := range []byte{0x01, 0x20} {
			b := bytes.Clone(orig)
			b[i] ^= mask
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("byte %d ^ %#x", i, mask))
		}
	}
}

// TestWrongPassphraseIsNotDamage: with a wrong passphrase no item opens,
// so that, and not damage, is what awsx reports, and it writes nothing.
func TestWrongPassphraseIsNotDamage(t *testing.T) {
	dir := t.TempDir()
	k := fileRing(t, dir, "correct horse")
	mustSet(t, k, items.Keys("bastion"), storedKeys{AccessKeyID: "AKIABASTION"})
	mustSet(t, k, items.Session("prod"), storedSession{AccessKeyID: "ASIAPROD"})
	// One damaged item among them must not change the verdict.
	path := filepath.Join(dir, "session%2Fprod")
	b, _ := os.ReadFile(path)
	parts := strings.Split(string(b), ".")
	parts[1] = strings.Repeat("A", len(parts[1]))
	if err := os.WriteFile(path, []byte(strings.Join(parts, ".")), 0o600); err != nil {
		t.Fatal(err)
	}

	wrong := fileRing(t, dir, "wrong horse")
	var s storedKeys
	if _, err := wrong.get(items.Keys("bastion"), &s); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("get with a wrong passphrase: %v; want ErrWrongPassphrase", err)
	}
	if err := wrong.set(items.Keys("other"), "x", storedKeys{AccessKeyID: "AKIAOTHER"}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("set with a wrong passphrase: %v; want ErrWrongPassphrase", err)
	}
	if err := wrong.remove(items.Keys("bastion")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("remove with a wrong passphrase: %v; want ErrWrongPassphrase", err)
	}
	names, _ := fileRing(t, dir, "correct horse").keys()
	if strings.Join(names, " ") != "keys/bastion session/prod" {
		t.Errorf("after the refused writes the keyring holds %q", names)
	}
}

// TestInterruptedWriteLeftovers: the staging directory of a write killed
// before its rename holds a complete or partial item. It is neither
// listed nor read, and the item keeps its old value.
func TestInterruptedWriteLeftovers(t *testing.T) {
	dir := t.TempDir()
	k := fileRing(t, dir, "correct horse")
	mustSet(t, k, items.Session("prod"), storedSession{AccessKeyID: "ASIAOLD"})
	stage := filepath.Join(dir, ".tmp-123456")
	if err := os.Mkdir(stage, 0o700); err != nil {
		t.Fatal(err)
	}
	staged := fileRing(t, stage, "correct horse")
	mustSet(t, staged, items.Session("prod"), storedSession{AccessKeyID: "ASIANEW"})
	if err := os.WriteFile(filepath.Join(stage, "half"), []byte("eyJhbGciOiJQQkVT"), 0o600); err != nil {
		t.Fatal(err)
	}

	k = fileRing(t, dir, "correct horse")
	names, err := k.keys()
	if err != nil || strings.Join(names, " ") != "session/prod" {
		t.Fatalf("keys() = %q, %v; want only session/prod", names, err)
	}
	var s storedSession
	mustGet(t, k, items.Session("prod"), &s)
	if s.AccessKeyID != "ASIAOLD" {
		t.Errorf("the item reads %q; want the old value", s.AccessKeyID)
	}
	// The next write goes through, and leaves no staging of its own; a
	// leftover that recent may be another process's write in progress.
	mustSet(t, k, items.Session("prod"), storedSession{AccessKeyID: "ASIANEWER"})
	mustGet(t, k, items.Session("prod"), &s)
	if s.AccessKeyID != "ASIANEWER" {
		t.Errorf("after a write the item reads %q", s.AccessKeyID)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the keyring directory holds %d entries; want the item and the recent leftover", len(entries))
	}
	// A leftover older than any write in progress is deleted by the next
	// write or removal: it holds a copy of a secret.
	old := time.Now().Add(-2 * stagingAge)
	if err := os.Chtimes(stage, old, old); err != nil {
		t.Fatal(err)
	}
	if err := k.remove(items.Session("nosuch")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stage); !os.IsNotExist(err) {
		t.Errorf("the old staging directory is still there: %v", err)
	}
	mustGet(t, k, items.Session("prod"), &s)
}

type countingProvider struct {
	calls int
	creds aws.Credentials
}

func (c *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	c.calls++
	return c.creds, nil
}

// TestCacheRefetchesDamagedSession: a damaged session item is a cache
// miss, reported once by name; the session is fetched again and overwrites
// it, and the next lookup is a hit.
func TestCacheRefetchesDamagedSession(t *testing.T) {
	for _, damage := range []string{"key", "ciphertext", "empty", "garbage"} {
		t.Run(damage, func(t *testing.T) {
			dir := t.TempDir()
			var stderr bytes.Buffer
			now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			v := &Vault{Keyring: fileRing(t, dir, "correct horse"), Locker: Locker{Dir: t.TempDir()},
				Stderr: &stderr, Now: func() time.Time { return now }, MinTTL: DefaultMinTTL}
			mustSet(t, v.Keyring, items.Session("prod"), storedSession{AccessKeyID: "ASIAOLD", Expires: now.Add(time.Hour), Fingerprint: "fp"})
			damageFile(t, filepath.Join(dir, "session%2Fprod"), damage)

			inner := &countingProvider{creds: aws.Credentials{AccessKeyID: "ASIANEW", SecretAccessKey: "s", SessionToken: "t",
				CanExpire: true, Expires: now.Add(8 * time.Hour)}}
			c := &cachedProvider{v: v, item: items.Session("prod"), fingerprint: "fp", inner: inner}
			creds, err := c.Retrieve(context.Background())
			if err != nil || creds.AccessKeyID != "ASIANEW" || inner.calls != 1 {
				t.Fatalf("Retrieve = %v, %v after %d fetches; want the new session from one fetch", creds.AccessKeyID, err, inner.calls)
			}
			if got := strings.Count(stderr.String(), `keyring item "session/prod" is unreadable`); got != 1 {
				t.Errorf("stderr names the damaged item %d times; want once:\n%s", got, stderr.String())
			}
			c = &cachedProvider{v: v, item: items.Session("prod"), fingerprint: "fp", inner: inner}
			if creds, err := c.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "ASIANEW" || inner.calls != 1 {
				t.Errorf("second Retrieve = %v, %v after %d fetches; want a cache hit", creds.AccessKeyID, err, inner.calls)
			}
		})
	}
}

func damageFile(t *testing.T, path, how string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(b), ".")
	switch how {
	case "key":
		parts[1] = strings.Repeat("A", len(parts[1]))
		b = []byte(strings.Join(parts, "."))
	case "ciphertext":
		parts[3] = strings.Repeat("A", len(parts[3]))
		b = []byte(strings.Join(parts, "."))
	case "empty":
		b = nil
	case "garbage":
		b = []byte("not an item")
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
