package shells

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// TrustStore is the list of markers the user has trusted: one line per
// marker with the SHA-256 of the content it had and its path. It holds no
// secrets; its integrity matters, so a store others may write is ignored.
type TrustStore struct {
	Path string
}

// NewTrustStore returns the store in awsx's directory under home.
func NewTrustStore(home string) TrustStore {
	return TrustStore{Path: filepath.Join(home, ".awsx", "trusted")}
}

// trustHeader starts the file so that whoever opens it knows what it is.
const trustHeader = "# markers trusted with 'awsx trust': sha256 of the content, then the path\n"

// canonical names a marker by its physical directory, so that a tree
// reached through a symlink is the same tree.
func canonical(path string) string {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Join(dir, filepath.Base(path))
}

// load reads the store: path to sum. A missing store is empty.
func (t TrustStore) load() (map[string]string, error) {
	entries := map[string]string{}
	fi, err := os.Stat(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return entries, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trust store: %w", err)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("trust store %s is writable by group or others; ignoring it (chmod go-w %s)", ShowPath(t.Path), ShowPath(t.Path))
	}
	data, err := os.ReadFile(t.Path)
	if err != nil {
		return nil, fmt.Errorf("trust store: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, quoted, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		p, err := strconv.Unquote(quoted)
		if err != nil || len(sum) != 64 {
			continue
		}
		entries[p] = sum
	}
	return entries, sc.Err()
}

// save writes the store atomically, readable by the user only.
func (t TrustStore) save(entries map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(t.Path), 0o700); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString(trustHeader)
	for _, p := range paths {
		fmt.Fprintf(&b, "%s %s\n", entries[p], strconv.Quote(p))
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.Path), ".trusted-*")
	if err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("trust store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	if err := os.Rename(tmp.Name(), t.Path); err != nil {
		return fmt.Errorf("trust store: %w", err)
	}
	return nil
}

// TrustState says what the store knows about a marker.
type TrustState int

// The states of a marker in the store.
const (
	Untrusted TrustState = iota // never trusted, or revoked
	Trusted                     // trusted with this very content
	Changed                     // trusted, but the content has changed since
)

// Check looks m up in the store.
func (t TrustStore) Check(m *Marker) (TrustState, error) {
	entries, err := t.load()
	if err != nil {
		return Untrusted, err
	}
	sum, ok := entries[canonical(m.Path)]
	switch {
	case !ok:
		return Untrusted, nil
	case sum == m.Sum:
		return Trusted, nil
	default:
		return Changed, nil
	}
}

// Trust records m's path and content hash.
func (t TrustStore) Trust(m *Marker) error {
	entries, err := t.load()
	if err != nil {
		return err
	}
	entries[canonical(m.Path)] = m.Sum
	return t.save(entries)
}

// Revoke forgets the marker at path, whatever its content; it reports
// whether the store knew it.
func (t TrustStore) Revoke(path string) (bool, error) {
	entries, err := t.load()
	if err != nil {
		return false, err
	}
	key := canonical(path)
	if _, ok := entries[key]; !ok {
		return false, nil
	}
	delete(entries, key)
	return true, t.save(entries)
}

// TrustMarker trusts the nearest marker at or above dir after checking it
// as the hook would: a safe file, valid lines, and a profile that defined
// reports the config knows.
func TrustMarker(dir string, store TrustStore, defined func(string) bool) (*Marker, error) {
	path, ok := FindMarker(dir)
	if !ok {
		return nil, fmt.Errorf("no %s marker in %s or its parents", MarkerName, ShowPath(dir))
	}
	m, err := ReadMarker(path)
	if err != nil {
		return nil, err
	}
	if !defined(m.Profile) {
		return nil, fmt.Errorf("%s names profile %s, which the config does not define; not trusting it", ShowPath(path), m.Profile)
	}
	return m, store.Trust(m)
}

// RevokeMarker forgets the nearest marker at or above dir, or dir's own
// .awsx when none is left on disk; it returns the path it forgot.
func RevokeMarker(dir string, store TrustStore) (string, error) {
	path, ok := FindMarker(dir)
	if !ok {
		path = filepath.Join(dir, MarkerName)
	}
	known, err := store.Revoke(path)
	if err != nil {
		return "", err
	}
	if !known {
		return "", fmt.Errorf("%s is not trusted", ShowPath(path))
	}
	return path, nil
}
