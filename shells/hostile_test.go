package shells

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHookHostileSession walks real shells through directories and markers
// built to run code or to be used without consent. Nothing may run, no
// profile may switch, and each directory gets exactly one warning, once;
// trusted markers under directory names built to run code do switch, and
// still nothing runs.
func TestHookHostileSession(t *testing.T) {
	names := []string{"$(touch PWNED)", "`touch PWNED`", "a;touch PWNED", "q'uo\"te", "new\nline", "ünï ✓ \x1b[31m"}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			s := newSessionEnv(t, sh)
			h := filepath.Join(s.root, "h")
			store := NewTrustStore(s.home)
			mk := func(name, content string, mode os.FileMode, trust bool) string {
				dir := filepath.Join(h, name)
				mkdirs(t, dir)
				writeMarker(t, dir, content)
				if trust {
					p := filepath.Join(dir, MarkerName)
					data, _ := os.ReadFile(p)
					if err := store.Trust(&Marker{Path: p, Sum: sha(data)}); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.Chmod(filepath.Join(dir, MarkerName), mode); err != nil {
					t.Fatal(err)
				}
				return dir
			}
			want := []string{}
			for _, n := range names {
				mk(n, "profile = prod\n", 0o644, false)
				want = append(want, "is not trusted")
			}
			mk("hostile-content", "profile = $(touch PWNED)\nregion = `touch PWNED`\n", 0o644, true)
			want = append(want, "profile must be made of")
			mk("undefined", "profile = nosuch\n", 0o644, true)
			want = append(want, "names profile nosuch")
			mk("world-writable", "profile = prod\n", 0o666, true)
			want = append(want, "writable by group or others")
			mk("unreadable", "profile = prod\n", 0o000, true)
			want = append(want, "cannot read")
			edited := mk("edited", "profile = prod\n", 0o644, true)
			writeMarker(t, edited, "profile = prod\nregion = eu-west-1\n")
			want = append(want, "changed since it was trusted")
			mk("login", "profile = needslogin\n", 0o644, true)
			want = append(want, "awsx: needslogin needs 'awsx login bastion'")
			// Trusted markers under hostile names: the switch happens,
			// and still nothing runs.
			trusted := []string{"$(touch PWNED)", "new\nline `touch PWNED`", "q'uo\"te;touch PWNED"}
			for _, n := range trusted {
				dir := filepath.Join(s.root, "ht", n)
				mkdirs(t, dir)
				writeMarker(t, dir, "profile = dev\n")
				m, err := ReadMarker(filepath.Join(dir, MarkerName))
				if err != nil {
					t.Fatal(err)
				}
				if err := store.Trust(m); err != nil {
					t.Fatal(err)
				}
			}
			// awsx_dirs entries are the user's own, but their profile
			// names still must not reach the shell unchecked.
			s.env = append(s.env, "AWSX_FAKE_DIRS=$(touch PWNED)="+filepath.Join(s.root, "h", "*"))
			want = append(want, "awsx_dirs ignored")

			var session string
			if sh == "fish" {
				session = `$AWSX hook fish | source
for i in 1 2; for d in $T/h/*/; cd $d; echo (set -q AWSX_PROFILE; and echo $AWSX_PROFILE; or echo none) >> $T/out/profiles; end; end
for d in $T/ht/*/; cd $d; echo "$AWSX_PROFILE $AWS_REGION" >> $T/out/trusted; end
cd $T
exit
`
			} else {
				session = `eval "$("$AWSX" hook ` + sh + `)"
for i in 1 2; do for d in "$T"/h/*/; do cd "$d"; echo "${AWSX_PROFILE-none}" >> "$T/out/profiles"; done; done
for d in "$T"/ht/*/; do cd "$d"; echo "${AWSX_PROFILE-none} $AWS_REGION" >> "$T/out/trusted"; done
cd "$T"
exit
`
			}
			s.run(t, sh, session)
			profiles := strings.Split(s.out(t, "profiles"), "\n")
			if len(profiles) != 2*(len(want)-1) {
				t.Errorf("visited %d directories, want %d", len(profiles), 2*(len(want)-1))
			}
			for _, p := range profiles {
				if p != "none" {
					t.Errorf("switched to %q", p)
				}
			}
			switched := strings.Split(s.out(t, "trusted"), "\n")
			if len(switched) != len(trusted) {
				t.Errorf("visited %d trusted hostile directories, want %d", len(switched), len(trusted))
			}
			for _, p := range switched {
				if p != "dev us-east-1" {
					t.Errorf("in a trusted directory with a hostile name: %q, want dev us-east-1", p)
				}
			}
			data, _ := os.ReadFile(filepath.Join(s.root, "stderr"))
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) != len(want) {
				t.Errorf("got %d warnings, want %d (one each, once):\n%s", len(lines), len(want), data)
			}
			for _, w := range want {
				n := 0
				for _, l := range lines {
					if strings.Contains(l, w) {
						n++
					}
				}
				if n == 0 {
					t.Errorf("no warning with %q in:\n%s", w, data)
				}
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, "awsx: ") || strings.ContainsAny(l, "\x1b\r") {
					t.Errorf("warning %q is not one plain awsx: line", l)
				}
			}
			assertNoPwned(t, s.root)
		})
	}
}
