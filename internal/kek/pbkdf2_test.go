package kek

import (
	"bytes"
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
