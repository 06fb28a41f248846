//go:build unix

package warm

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestIndex needs file modes and owners that mean what they say (Unix).
func TestIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "warm")
	if _, ok := Lookup(dir, "prod", "k0"); ok {
		t.Fatal("an entry in an empty index")
	}
	for i := 0; i < maxEntries+2; i++ {
		e := Entry{Key: fmt.Sprint("k", i), Fingerprint: "f", Account: "222222222222", Region: "eu-west-1"}
		if err := Record(dir, "prod", e); err != nil {
			t.Fatal(err)
		}
		if got, ok := Lookup(dir, "prod", e.Key); !ok || got != e {
			t.Fatalf("Lookup(%s) = %+v, %v", e.Key, got, ok)
		}
	}
	// The oldest make way; the newest stay.
	for i, want := range map[int]bool{0: false, 1: false, 2: true, maxEntries + 1: true} {
		if _, ok := Lookup(dir, "prod", fmt.Sprint("k", i)); ok != want {
			t.Errorf("entry k%d kept: %v, want %v", i, ok, want)
		}
	}
	// Recording a known key again moves it to the front without a copy.
	if err := Record(dir, "prod", Entry{Key: "k2", Fingerprint: "g"}); err != nil {
		t.Fatal(err)
	}
	ix, err := readIndex(dir, "prod")
	if err != nil || ix.Entries[0].Fingerprint != "g" || len(ix.Entries) != maxEntries {
		t.Fatalf("index after re-recording: %+v, %v", ix, err)
	}
	if _, ok := Lookup(dir, "dev", "k2"); ok {
		t.Fatal("another profile's entry was found")
	}
	if _, ok := Lookup(dir, "prod", ""); ok {
		t.Fatal("an empty key was found")
	}
	// An index that others may write is not believed.
	file := indexFile(dir, "prod")
	if err := os.Chmod(file, 0o620); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(dir, "prod", "k2"); ok {
		t.Fatal("a group-writable index was read")
	}
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(dir, "prod", "k2"); ok {
		t.Fatal("a damaged index gave an entry")
	}
	if err := Record(dir, "prod", Entry{Key: "k9"}); err != nil {
		t.Fatalf("a damaged index is not replaced: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("index directory: %v, %v", fi.Mode(), err)
	}
	if _, ok := Lookup(dir, "prod", "k9"); !ok {
		t.Fatal("the new entry is not found")
	}
	// Nor one in a directory that others may enter, nor a symlink, nor a
	// FIFO (which must not block).
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(dir, "prod", "k9"); ok {
		t.Fatal("an index in a group-readable directory was read")
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "prod.json")
	if err := os.Rename(file, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, file); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(dir, "prod", "k9"); ok {
		t.Fatal("an index through a symlink was read")
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(dir, "prod", "k9"); ok {
		t.Fatal("a FIFO was read as an index")
	}
}
