package shells

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMarker(t *testing.T) {
	cases := []struct {
		in, profile, region, err string
	}{
		{"profile = prod\n", "prod", "", ""},
		{"# team infra\nprofile=prod-1.a_b # main\r\n  region =  eu-west-1  \n\n", "prod-1.a_b", "eu-west-1", ""},
		{"region = x\n", "", "", "no profile"},
		{"profile = a b\n", "", "", "line 1: profile must be made of"},
		{"profile = \n", "", "", "line 1: profile must be made of"},
		{"profile = p\nprofile = q\n", "", "", "line 2: profile given twice"},
		{"profile\n", "", "", "line 1: want key = value"},
		{"prof$ile = x\n", "", "", "line 1: unknown key (want"},
		{"profile = p=q\n", "", "", "line 1: profile must be made of"},
	}
	for _, c := range cases {
		m, err := ParseMarker([]byte(c.in))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || m.Profile != c.profile || m.Region != c.region {
			t.Errorf("%q: got %+v, %v", c.in, m, err)
		}
	}
}

// FuzzParseMarker checks that whatever a marker holds, a parsed value is
// only ever made of safe characters.
func FuzzParseMarker(f *testing.F) {
	f.Add([]byte("profile = prod\nregion = eu-west-1\n"))
	f.Add([]byte("profile = $(touch x)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMarker(data)
		if err != nil {
			return
		}
		if !validValue(m.Profile) || m.Region != "" && !validValue(m.Region) {
			t.Fatalf("accepted %q -> %+v", data, m)
		}
	})
}

func TestFindMarkerSkipsDirectories(t *testing.T) {
	root := t.TempDir()
	// ~/.awsx is awsx's own directory, not a marker.
	mkdirs(t, filepath.Join(root, ".awsx", "keys"), filepath.Join(root, "a", "b"))
	if p, ok := FindMarker(filepath.Join(root, "a", "b")); ok && strings.HasPrefix(p, root) {
		t.Fatalf("found %s", p)
	}
	writeMarker(t, filepath.Join(root, "a"), "profile = p\n")
	if p, ok := FindMarker(filepath.Join(root, "a", "b")); !ok || p != filepath.Join(root, "a", MarkerName) {
		t.Fatalf("got %s %v", p, ok)
	}
}

func TestTrustStore(t *testing.T) {
	root := t.TempDir()
	store := NewTrustStore(filepath.Join(root, "home"))
	dir := filepath.Join(root, "repo with 'quote'\nnewline")
	mkdirs(t, filepath.Join(dir, "sub"))
	writeMarker(t, dir, "profile = prod\n")
	defined := func(p string) bool { return p == "prod" }
	m, err := TrustMarker(filepath.Join(dir, "sub"), store, defined)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := store.Check(m); st != Trusted {
		t.Fatalf("state %v", st)
	}
	// Through a symlink it is the same marker.
	link := filepath.Join(root, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	lm, err := ReadMarker(filepath.Join(link, MarkerName))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := store.Check(lm); st != Trusted {
		t.Errorf("through a symlink: state %v", st)
	}
	fi, _ := os.Stat(store.Path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode %v", fi.Mode())
	}
	writeMarker(t, dir, "profile = prod\nregion = x\n")
	m2, _ := ReadMarker(m.Path)
	if st, _ := store.Check(m2); st != Changed {
		t.Errorf("edited: state %v", st)
	}
	if _, err := RevokeMarker(dir, store); err != nil {
		t.Fatal(err)
	}
	if st, _ := store.Check(m2); st != Untrusted {
		t.Errorf("revoked: state %v", st)
	}
	if _, err := RevokeMarker(dir, store); err == nil {
		t.Error("revoked twice")
	}
	writeMarker(t, dir, "profile = nosuch\n")
	if _, err := TrustMarker(dir, store, defined); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("trusted an undefined profile: %v", err)
	}
	// A store others can write is not believed.
	writeMarker(t, dir, "profile = prod\n")
	m3, _ := TrustMarker(dir, store, defined)
	os.Chmod(store.Path, 0o666)
	if st, err := store.Check(m3); st == Trusted || err == nil {
		t.Errorf("world-writable store believed: %v %v", st, err)
	}
}
