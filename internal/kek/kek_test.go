package kek

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeItem writes a file-keyring item whose protected header is h; the
// rest of the compact JWE does not matter to this package.
func writeItem(t *testing.T, dir, file, header string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	b := base64.RawURLEncoding.EncodeToString([]byte(header)) + ".a.b.c.d"
	if err := os.WriteFile(filepath.Join(dir, file), []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

const header = `{"alg":"PBES2-HS256+A128KW","created":"now","enc":"A256GCM","p2c":8192,"p2s":"f_IBKAPjT9nvM_mu"}`

var salt, _ = base64.RawURLEncoding.DecodeString("f_IBKAPjT9nvM_mu")

func TestKeyHandsOutTheHeadStartOnlyForItsInputs(t *testing.T) {
	dir := t.TempDir()
	writeItem(t, dir, "session%2Fprod", header)
	old := ahead
	defer func() { ahead = old }()
	if Start(filepath.Join(dir, "nosuch"), "session/nosuch", "pw") || ahead != old {
		t.Fatal("Start started for a file that is not there")
	}
	if !Start(filepath.Join(dir, "session%2Fprod"), "session/prod", "pw") {
		t.Fatal("no head start")
	}

	want, err := Derive("pw", salt, Iterations)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []struct {
		pass string
		salt []byte
		iter int
	}{{"other", salt, Iterations}, {"pw", []byte("another salt"), Iterations}, {"pw", salt, Iterations + 1}} {
		k, _ := Key(other.pass, other.salt, other.iter)
		if bytes.Equal(k, want) {
			t.Errorf("Key(%q, %q, %d) handed out the head start's key", other.pass, other.salt, other.iter)
		}
		if _, used := HeadStart(); used {
			t.Errorf("Key(%q, %q, %d) used the head start", other.pass, other.salt, other.iter)
		}
	}
	k, err := Key("pw", salt, Iterations)
	if err != nil || !bytes.Equal(k, want) {
		t.Fatalf("Key = %x, %v; want %x", k, err, want)
	}
	if item, used := HeadStart(); item != "session/prod" || !used {
		t.Errorf("HeadStart = %q, %v; want session/prod, true", item, used)
	}
}

// A wrong guess must not make the real derivation wait for it.
func TestKeyDoesNotWaitForAnotherGuess(t *testing.T) {
	old := ahead
	ahead = &guess{item: "session/x", passphrase: "pw", salt: []byte("s"), iterations: Iterations, done: make(chan struct{})}
	defer func() { ahead = old }()
	got := make(chan error, 1)
	go func() {
		_, err := Key("pw", []byte("another"), Iterations)
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Key waited for a head start made for other inputs")
	}
}

func TestReadHeaderRefusesWhatTheKeyringDoesNotWrite(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"alg":       `{"alg":"PBES2-HS512+A256KW","p2c":8192,"p2s":"f_IBKAPjT9nvM_mu"}`,
		"huge p2c":  `{"alg":"PBES2-HS256+A128KW","p2c":1000000000,"p2s":"f_IBKAPjT9nvM_mu"}`,
		"tiny p2c":  `{"alg":"PBES2-HS256+A128KW","p2c":10,"p2s":"f_IBKAPjT9nvM_mu"}`,
		"float p2c": `{"alg":"PBES2-HS256+A128KW","p2c":8192.5,"p2s":"f_IBKAPjT9nvM_mu"}`,
		"bad salt":  `{"alg":"PBES2-HS256+A128KW","p2c":8192,"p2s":"not base64!"}`,
		"not json":  `alg=PBES2`,
	} {
		writeItem(t, dir, name, content)
		if _, _, ok := readHeader(filepath.Join(dir, name)); ok {
			t.Errorf("%s: header accepted", name)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "no dot"), []byte("eyJhbGciOiJub25lIn0"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := readHeader(filepath.Join(dir, "no dot")); ok {
		t.Error("a file that is not a compact JWE was accepted")
	}
	writeItem(t, dir, "good", header)
	if s, n, ok := readHeader(filepath.Join(dir, "good")); !ok || n != Iterations || !bytes.Equal(s, salt) {
		t.Errorf("readHeader(good) = %x, %d, %v", s, n, ok)
	}
}

// The key is PBKDF2-HMAC-SHA256 over the algorithm's name, a zero byte
// and the salt (RFC 7518 §4.8.1.1); the vector was computed with
// Python's hashlib.pbkdf2_hmac.
func TestDeriveIsRFC7518(t *testing.T) {
	k, err := Derive("pw", salt, Iterations)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(k); got != vector {
		t.Errorf("Derive = %s, want %s", got, vector)
	}
}

const vector = "b4QR_G0wSbuKwtny_Em8GQ"
