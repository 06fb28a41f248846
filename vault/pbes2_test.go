package vault

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/dvsekhvalnov/jose2go"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
)

// stockPBES2 is jose2go's own PBES2-HS256+A128KW, as the keyring library
// uses it when awsx has not put pbes2 in its place.
func stockPBES2() jose.JwaAlgorithm { return jose.NewPbse2HmacAesKWAlg(128, kek.MaxIterations, 0) }

// jsonHeader passes a header through JSON, as it travels in a JWE.
func jsonHeader(t *testing.T, h map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPBES2MatchesJose2go: a key wrapped by either implementation unwraps
// with the other, so keyrings written before and after awsx used pbes2
// stay one keyring.
func TestPBES2MatchesJose2go(t *testing.T) {
	impls := map[string]jose.JwaAlgorithm{"awsx": pbes2{}, "jose2go": stockPBES2()}
	for wname, wrap := range impls {
		for uname, unwrap := range impls {
			t.Run(wname+"->"+uname, func(t *testing.T) {
				h := map[string]any{"alg": jose.PBES2_HS256_A128KW, "enc": jose.A256GCM}
				cek, wrapped, err := wrap.WrapNewKey(256, "correct horse", h)
				if err != nil {
					t.Fatal(err)
				}
				got, err := unwrap.Unwrap(wrapped, "correct horse", 256, jsonHeader(t, h))
				if err != nil {
					t.Fatalf("unwrap: %v", err)
				}
				if !bytes.Equal(got, cek) {
					t.Fatalf("unwrapped %x, want %x", got, cek)
				}
				if _, err := unwrap.Unwrap(wrapped, "wrong horse", 256, jsonHeader(t, h)); err == nil || !isWrongPassphrase(err) {
					t.Fatalf("a wrong passphrase gives %v; want the KeyUnwrap failure that isWrongPassphrase knows", err)
				}
			})
		}
	}
}

// TestPBES2WritesWhatJose2goWrites: the header carries the same iteration
// count and salt length the keyring library writes.
func TestPBES2WritesWhatJose2goWrites(t *testing.T) {
	h := map[string]any{"alg": jose.PBES2_HS256_A128KW}
	if _, _, err := (pbes2{}).WrapNewKey(256, "pw", h); err != nil {
		t.Fatal(err)
	}
	s := map[string]any{"alg": jose.PBES2_HS256_A128KW}
	if _, _, err := stockPBES2().WrapNewKey(256, "pw", s); err != nil {
		t.Fatal(err)
	}
	if h["p2c"] != s["p2c"] || len(h["p2s"].(string)) != len(s["p2s"].(string)) {
		t.Fatalf("awsx writes p2c=%v p2s=%q; jose2go writes p2c=%v p2s=%q", h["p2c"], h["p2s"], s["p2c"], s["p2s"])
	}
	again := map[string]any{"alg": jose.PBES2_HS256_A128KW}
	_, _, _ = (pbes2{}).WrapNewKey(256, "pw", again)
	if again["p2s"] == h["p2s"] {
		t.Fatal("two wraps share a salt")
	}
}

// TestPBES2RefusesForgedCounts: an item whose header asks for an absurd
// amount of work, or for too little, is refused at once.
func TestPBES2RefusesForgedCounts(t *testing.T) {
	h := map[string]any{"alg": jose.PBES2_HS256_A128KW}
	_, wrapped, err := (pbes2{}).WrapNewKey(256, "pw", h)
	if err != nil {
		t.Fatal(err)
	}
	for _, p2c := range []any{float64(1e12), float64(kek.MaxIterations + 1), float64(999), float64(-8192), float64(8192.5), "8192", nil} {
		hh := jsonHeader(t, h)
		hh["p2c"] = p2c
		start := time.Now()
		if _, err := (pbes2{}).Unwrap(wrapped, "pw", 256, hh); err == nil || !strings.Contains(err.Error(), "iteration count") {
			t.Errorf("p2c %v: %v; want an iteration count error", p2c, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("p2c %v took %s to refuse", p2c, d)
		}
	}
	for _, p2s := range []any{nil, 12, "not base64 !"} {
		hh := jsonHeader(t, h)
		hh["p2s"] = p2s
		if _, err := (pbes2{}).Unwrap(wrapped, "pw", 256, hh); err == nil || !strings.Contains(err.Error(), "salt") {
			t.Errorf("p2s %v: %v; want a salt error", p2s, err)
		}
	}
}

// TestStockKeyringItemOpens reads an item that the keyring library wrote
// with jose2go's own PBES2 (testdata/stock-keyring): the keyrings of every
// earlier awsx keep opening.
func TestStockKeyringItemOpens(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "stock-keyring", "keys%2Ffixture"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys%2Ffixture"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	var k storedKeys
	ok, err := fileRing(t, dir, "fixture-passphrase").get(items.Keys("fixture"), &k)
	if err != nil || !ok || k.SecretAccessKey != "fixture-secret-written-by-the-stock-library" {
		t.Fatalf("get = %v, %v, %+v", ok, err, k)
	}
	_, err = fileRing(t, dir, "not-the-passphrase").get(items.Keys("fixture"), &k)
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("a wrong passphrase gives %v", err)
	}
}

// BenchmarkPBES2Unwrap compares the key derivation a warm exec pays once.
func BenchmarkPBES2Unwrap(b *testing.B) {
	for name, alg := range map[string]jose.JwaAlgorithm{"awsx": pbes2{}, "jose2go": stockPBES2()} {
		b.Run(name, func(b *testing.B) {
			h := map[string]any{"alg": jose.PBES2_HS256_A128KW}
			_, wrapped, err := alg.WrapNewKey(256, "pw", h)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				hh := map[string]any{"alg": h["alg"], "p2c": float64(kek.Iterations), "p2s": h["p2s"]}
				if _, err := alg.Unwrap(wrapped, "pw", 256, hh); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
