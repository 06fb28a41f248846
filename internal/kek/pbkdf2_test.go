package kek

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestPBKDF2MatchesTheStandardLibrary(t *testing.T) {
	passphrases := []string{"", "pw", "correct horse", strings.Repeat("x", 64), strings.Repeat("é", 40), "\x00\xff"}
	salts := [][]byte{nil, []byte("salt"), bytes.Repeat([]byte{0xa5}, 100)}
	for _, pass := range passphrases {
		for _, salt := range salts {
			for _, n := range []int{1, 2, 3, 1000, Iterations} {
				want, err := pbkdf2.Key(sha256.New, pass, salt, n, sha256.Size)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := pbkdf2SHA256(pass, salt, n)
				if !ok || !bytes.Equal(got, want) {
					t.Fatalf("pbkdf2SHA256(%q, %x, %d) = %x, %v; want %x", pass, salt, n, got, ok, want)
				}
			}
		}
	}
}

// Both ways of hashing the rounds, whichever this machine takes.
func TestRoundsAgree(t *testing.T) {
	for _, pass := range []string{"", "pw", strings.Repeat("x", 64)} {
		for _, n := range []int{2, 3, Iterations} {
			want, err := pbkdf2.Key(sha256.New, pass, []byte("salt"), n, sha256.Size)
			if err != nil {
				t.Fatal(err)
			}
			u, second := firstRounds(pass, []byte("salt"))
			marshalled, ok := roundsMarshalled([]byte(pass), u, second, n)
			if !ok {
				t.Fatal("roundsMarshalled failed")
			}
			if got := xor(u, marshalled); !bytes.Equal(got, want) {
				t.Errorf("through crypto/sha256, %q over %d rounds: %x, want %x", pass, n, got, want)
			}
			native, ok := roundsNative([]byte(pass), u, second, n)
			if ok != shaNI() {
				t.Fatalf("roundsNative ok = %v on a machine whose SHA instructions are %v", ok, shaNI())
			}
			if ok {
				if got := xor(u, native); !bytes.Equal(got, want) {
					t.Errorf("with the SHA instructions, %q over %d rounds: %x, want %x", pass, n, got, want)
				}
			}
		}
	}
}

// A round two that is not what crypto/hmac says makes both ways give up.
func TestRoundsCheckRoundTwo(t *testing.T) {
	u, second := firstRounds("pw", []byte("salt"))
	second[0] ^= 1
	if _, ok := roundsMarshalled([]byte("pw"), u, second, 3); ok {
		t.Error("roundsMarshalled took a wrong round two")
	}
	if _, ok := roundsNative([]byte("pw"), u, second, 3); ok {
		t.Error("roundsNative took a wrong round two")
	}
}

func firstRounds(pass string, salt []byte) (u, second []byte) {
	mac := hmac.New(sha256.New, []byte(pass))
	mac.Write(salt)
	mac.Write([]byte{0, 0, 0, 1})
	u = mac.Sum(nil)
	mac.Reset()
	mac.Write(u)
	return u, mac.Sum(nil)
}

func xor(a, b []byte) []byte {
	out := bytes.Clone(a)
	for i := range out {
		out[i] ^= b[i]
	}
	return out
}

func FuzzPBKDF2(f *testing.F) {
	f.Add("pw", []byte("salt"), uint16(2))
	f.Add(strings.Repeat("k", 65), []byte{}, uint16(7))
	f.Fuzz(func(t *testing.T, pass string, salt []byte, n uint16) {
		iterations := int(n%50) + 1
		want, _ := pbkdf2.Key(sha256.New, pass, salt, iterations, sha256.Size)
		if got, ok := pbkdf2SHA256(pass, salt, iterations); !ok || !bytes.Equal(got, want) {
			t.Fatalf("pbkdf2SHA256(%q, %x, %d) = %x, %v; want %x", pass, salt, iterations, got, ok, want)
		}
	})
}

// The speed of a file keyring item's key, against crypto/pbkdf2's.
func BenchmarkDerive(b *testing.B) {
	salt := bytes.Repeat([]byte{1}, 32)
	b.Run("kek", func(b *testing.B) {
		for b.Loop() {
			if _, err := Derive("correct horse", salt, Iterations); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("crypto-pbkdf2", func(b *testing.B) {
		full := append([]byte(Alg+"\x00"), salt...)
		for b.Loop() {
			if _, err := pbkdf2.Key(sha256.New, "correct horse", full, Iterations, keyBytes); err != nil {
				b.Fatal(err)
			}
		}
	})
}
