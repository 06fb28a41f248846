package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/vault/warm"
)

// TestWarmReadsWhatKeyringWrites: package warm reads a session item that
// the keyring library wrote exactly as the library reads it back, and not
// with another passphrase.
func TestWarmReadsWhatKeyringWrites(t *testing.T) {
	dir := t.TempDir()
	k := fileRing(t, dir, "correct horse")
	want := storedSession{AccessKeyID: "ASIAPROD", SecretAccessKey: "s/+=\"'", SessionToken: "tok\n\u00e9",
		Expires: time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC), AccountID: "222222222222",
		Fingerprint: "82b12d9c447716298d5a5fd3", Requested: time.Hour, Chained: true}
	mustSet(t, k, items.Session("prod"), want)
	path := filepath.Join(dir, items.File(items.Session("prod")))
	got, err := warm.ReadSession(path, "correct horse")
	if err != nil || got != want {
		t.Fatalf("ReadSession = %+v, %v; want %+v", got, err, want)
	}
	if _, err := warm.ReadSession(path, "battery staple"); err == nil {
		t.Fatal("ReadSession opened the item with another passphrase")
	}
	if _, err := warm.ReadSession(filepath.Join(dir, "session%2Fnone"), "correct horse"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing item gives %v", err)
	}
	// An item the stock library wrote, before awsx registered its PBES2.
	stock := filepath.Join("testdata", "stock-keyring", "keys%2Ffixture")
	if s, err := warm.ReadSession(stock, "fixture-passphrase"); err != nil || s.SecretAccessKey != "fixture-secret-written-by-the-stock-library" {
		t.Fatalf("the stock item reads as %+v, %v", s, err)
	}
}

// TestWarmReadsDamageAsVaultDoes changes every byte of an item in turn:
// package warm either refuses it or reads exactly what the keyring
// library reads, never another session.
func TestWarmReadsDamageAsVaultDoes(t *testing.T) {
	dir := t.TempDir()
	k := fileRing(t, dir, "correct horse")
	mustSet(t, k, items.Session("prod"), storedSession{AccessKeyID: "ASIAPROD", SessionToken: "tok", Fingerprint: "f"})
	path := filepath.Join(dir, "session%2Fprod")
	damageEach(t, path, func(what string) {
		got, werr := warm.ReadSession(path, "correct horse")
		if werr != nil {
			return
		}
		var s storedSession
		ok, err := fileRing(t, dir, "correct horse").get(items.Session("prod"), &s)
		if err != nil || !ok || got != s {
			t.Fatalf("%s: warm reads %+v; the keyring library %v, %+v, %v", what, got, ok, s, err)
		}
	})
}
