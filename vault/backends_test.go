package vault

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsx-cli/awsx/internal/items"
)

// testBackendsEnv names the real keyring backends (comma-separated, e.g.
// "secret-service" or "pass") that TestBackend must exercise. .ci/keyrings.sh
// sets it inside a D-Bus session with an unlocked gnome-keyring, or with a
// throw-away GPG key and password store. A backend named there that does
// not open fails the test: in CI a skipped backend would prove nothing.
const testBackendsEnv = "AWSX_TEST_BACKEND"

// TestBackend stores every kind of item awsx keeps in a real keyring
// backend, reads it back, lists, overwrites and removes it, through the
// same Keyring methods the commands use. The file backend always runs; the
// others run when AWSX_TEST_BACKEND names them and are skipped otherwise,
// because a developer's desktop keyring is not a test fixture.
func TestBackend(t *testing.T) {
	wanted := map[string]bool{}
	for _, b := range strings.Split(os.Getenv(testBackendsEnv), ",") {
		if b = strings.TrimSpace(b); b != "" {
			if !validBackend(b) {
				t.Fatalf("%s=%q: %q is not one of %s", testBackendsEnv, os.Getenv(testBackendsEnv), b, strings.Join(Backends, ", "))
			}
			wanted[b] = true
		}
	}
	for _, b := range []string{"file", "secret-service", "pass", "kwallet", "keyctl"} {
		t.Run(b, func(t *testing.T) {
			if b != "file" && !wanted[b] {
				t.Skipf("set %s=%s to run against a real %s keyring (.ci/keyrings.sh does)", testBackendsEnv, b, b)
			}
			if b == "pass" && os.Getenv("PASSWORD_STORE_DIR") == "" {
				// The pass backend would otherwise write to the user's own
				// ~/.password-store.
				t.Fatalf("the pass backend test needs PASSWORD_STORE_DIR set to a throw-away store")
			}
			k := NewKeyring(KeyringOptions{Backend: b, FileDir: t.TempDir(), Passphrase: "correct horse"})
			backendRoundTrip(t, k)
			if got := k.Backend(); got != b {
				t.Errorf("Backend() = %q after opening %q", got, b)
			}
		})
	}
}

// backendRoundTrip is the conversation awsx has with any backend. Item
// names carry a random suffix so that a real keyring's other items, and
// the leftovers of an earlier crashed run, never collide with this one.
func backendRoundTrip(t *testing.T, k *Keyring) {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	profile := "backendtest-" + hex.EncodeToString(suffix)
	// A real start URL: "//" and a trailing path are what backends that
	// map names to paths (pass) are most likely to mangle.
	startURL := "https://" + profile + ".awsapps.com/start"
	names := []string{items.Keys(profile), items.Session(profile), ssoItem(startURL)}
	t.Cleanup(func() {
		for _, n := range names {
			_ = k.remove(n)
		}
	})

	now := time.Now().UTC().Truncate(time.Second)
	keys := storedKeys{AccessKeyID: "AKIAEXAMPLEBACKEND01", SecretAccessKey: "secret/with+chars=" + profile, Added: now}
	sess := storedSession{AccessKeyID: "ASIAEXAMPLEBACKEND01", SecretAccessKey: "s1", SessionToken: strings.Repeat("T", 1200),
		Expires: now.Add(8 * time.Hour), AccountID: "222222222222", Fingerprint: "fp1"}
	sso := map[string]string{"AccessToken": "at-" + profile, "RefreshToken": "rt-" + profile}

	for _, n := range names {
		if has, err := k.has(n); err != nil || has {
			t.Fatalf("has(%q) before any write = %v, %v; want false, nil", n, has, err)
		}
	}
	mustSet(t, k, items.Keys(profile), keys)
	mustSet(t, k, items.Session(profile), sess)
	mustSet(t, k, ssoItem(startURL), sso)

	var gotKeys storedKeys
	mustGet(t, k, items.Keys(profile), &gotKeys)
	if gotKeys.AccessKeyID != keys.AccessKeyID || gotKeys.SecretAccessKey != keys.SecretAccessKey || !gotKeys.Added.Equal(keys.Added) {
		t.Errorf("keys item read back as %+v, stored %+v", gotKeys, keys)
	}
	var gotSess storedSession
	mustGet(t, k, items.Session(profile), &gotSess)
	if gotSess.SessionToken != sess.SessionToken || !gotSess.Expires.Equal(sess.Expires) || gotSess.Fingerprint != sess.Fingerprint {
		t.Errorf("session item read back as %+v, stored %+v", gotSess, sess)
	}
	var gotSSO map[string]string
	mustGet(t, k, ssoItem(startURL), &gotSSO)
	if gotSSO["RefreshToken"] != sso["RefreshToken"] {
		t.Errorf("sso item read back as %v, stored %v", gotSSO, sso)
	}

	// The listing must give back the very names awsx computes: logout and
	// list match on them.
	if got := ours(t, k, profile); !slices.Equal(got, sortedCopy(names)) {
		t.Errorf("keys() lists %q, want %q", got, sortedCopy(names))
	}
	for _, n := range names {
		if has, err := k.has(n); err != nil || !has {
			t.Errorf("has(%q) after writing = %v, %v; want true", n, has, err)
		}
	}

	// A renewed session replaces the old one: one item, the new value.
	sess2 := sess
	sess2.AccessKeyID, sess2.Fingerprint = "ASIAEXAMPLEBACKEND02", "fp2"
	mustSet(t, k, items.Session(profile), sess2)
	mustGet(t, k, items.Session(profile), &gotSess)
	if gotSess.AccessKeyID != sess2.AccessKeyID || gotSess.Fingerprint != "fp2" {
		t.Errorf("overwritten session read back as %+v, want %+v", gotSess, sess2)
	}
	if got := ours(t, k, profile); len(got) != len(names) {
		t.Errorf("after overwriting the session, keys() lists %q: an overwrite must not add an item", got)
	}

	for _, n := range names {
		if err := k.remove(n); err != nil {
			t.Fatalf("remove(%q): %v", n, err)
		}
		var v map[string]any
		if ok, err := k.get(n, &v); ok || err != nil {
			t.Errorf("get(%q) after remove = %v, %v; want a miss", n, ok, err)
		}
		if err := k.remove(n); err != nil {
			t.Errorf("removing the missing %q again: %v; want nil", n, err)
		}
	}
	if got := ours(t, k, profile); len(got) != 0 {
		t.Errorf("after removing everything, keys() still lists %q", got)
	}
}

func mustSet(t *testing.T, k *Keyring, name string, v any) {
	t.Helper()
	if err := k.set(name, name, v); err != nil {
		t.Fatalf("set(%q): %v", name, err)
	}
}

func mustGet(t *testing.T, k *Keyring, name string, v any) {
	t.Helper()
	ok, err := k.get(name, v)
	if err != nil || !ok {
		t.Fatalf("get(%q) = %v, %v; want the item", name, ok, err)
	}
}

// ours lists the keyring's items that belong to this run.
func ours(t *testing.T, k *Keyring, profile string) []string {
	t.Helper()
	all, err := k.keys()
	if err != nil {
		t.Fatalf("keys(): %v", err)
	}
	var out []string
	for _, n := range all {
		if strings.Contains(n, profile) {
			out = append(out, n)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
