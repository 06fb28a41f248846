// Package kek derives the file keyring's key-encrypting keys, and can
// start deriving one before it is asked for.
//
// A file keyring item is a JWE whose content key is wrapped with
// PBES2-HS256+A128KW: a key derived from the passphrase and the item's
// salt by PBKDF2-HMAC-SHA256 over 8192 rounds. That is about 1.8 ms with
// crypto/pbkdf2 on the 2-core dev machine, as much as all the rest of a
// warm exec's own work. The rounds cannot be fewer without weakening the
// files, but each can cost less (pbkdf2.go), and the work can start
// sooner, since the salt is in the item's header: package keystart
// guesses the item from the command line (or the hook's marker) and calls
// Start while the libraries' package initialisation still runs.
//
// A guess is only a head start. Key hands out the early key only for
// exactly the passphrase, salt and round count it was derived from, so a
// wrong guess costs the derivation's work on another core and nothing
// else, and nothing is ever stored.
package kek

import (
	"bytes"
	"crypto/fips140"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/dvsekhvalnov/jose2go/aes"
	"github.com/dvsekhvalnov/jose2go/base64url"
)

const (
	// Alg is the JWE key-management algorithm the file keyring writes.
	Alg = "PBES2-HS256+A128KW"
	// Iterations is the round count the keyring library writes.
	Iterations = 8192
	// MaxIterations bounds the work a damaged or forged item can ask for
	// (jose2go's own bound, CVE-2023-50658); below MinIterations, the
	// minimum RFC 7518 recommends, an item was not written by the keyring.
	MaxIterations = 1300000
	MinIterations = 1000
	keyBytes      = 16 // A128KW
)

// Derive computes the key-wrapping key; RFC 7518 salts it with the
// algorithm's name and a zero byte before the item's salt.
func Derive(passphrase string, salt []byte, iterations int) ([]byte, error) {
	full := make([]byte, 0, len(Alg)+1+len(salt))
	full = append(append(append(full, Alg...), 0), salt...)
	// In FIPS 140 mode the derivation stays inside the validated module,
	// which also refuses short HMAC keys instead of panicking.
	if !fips140.Enabled() {
		if out, ok := pbkdf2SHA256(passphrase, full, iterations); ok {
			return out[:keyBytes], nil
		}
	}
	return pbkdf2.Key(sha256.New, passphrase, full, iterations, keyBytes)
}

// Unwrap opens the content key of a PBES2-HS256+A128KW JWE with
// passphrase: the salt and round count from its protected header, the
// key derived (or taken from the head start), AES key unwrap. Its failure
// to unwrap is how a wrong passphrase shows.
func Unwrap(passphrase string, header map[string]any, encryptedCek []byte) ([]byte, error) {
	salt, iterations, err := Params(header)
	if err != nil {
		return nil, err
	}
	wrapKey, err := Key(passphrase, salt, iterations)
	if err != nil {
		return nil, err
	}
	return aes.KeyUnwrap(encryptedCek, wrapKey)
}

// guess is a derivation started before it was asked for.
type guess struct {
	item       string // the item name it was started for, for --debug
	passphrase string
	salt       []byte
	iterations int
	done       chan struct{}
	key        []byte
	err        error
	used       atomic.Bool
}

// ahead is set once, by Start during package initialisation, before
// anything can read it.
var ahead *guess

// Key is Derive, answered from the head start when it was for exactly
// these inputs.
func Key(passphrase string, salt []byte, iterations int) ([]byte, error) {
	if g := ahead; g != nil && g.passphrase == passphrase && g.iterations == iterations && bytes.Equal(g.salt, salt) {
		<-g.done
		g.used.Store(true)
		return bytes.Clone(g.key), g.err
	}
	return Derive(passphrase, salt, iterations)
}

// HeadStart names the item whose key Start started to derive, and whether
// Key has handed that key out; item is empty when nothing was started.
func HeadStart() (item string, used bool) {
	if ahead == nil {
		return "", false
	}
	return ahead.item, ahead.used.Load()
}

// Start begins deriving, on its own goroutine, the key that opens file,
// the file keyring's item named item, with passphrase. It is for package
// initialisation (package keystart's), before anything calls Key; a
// file that is not such an item starts nothing.
func Start(file, item, passphrase string) bool {
	salt, iterations, ok := readHeader(file)
	if !ok {
		return false
	}
	g := &guess{item: item, passphrase: passphrase, salt: salt, iterations: iterations, done: make(chan struct{})}
	go func() {
		g.key, g.err = Derive(g.passphrase, g.salt, g.iterations)
		close(g.done)
	}()
	ahead = g
	return true
}

// Params reads the salt and round count from the protected header of a
// PBES2 JWE, refusing what the keyring library does not write.
func Params(header map[string]any) (salt []byte, iterations int, err error) {
	// JSON numbers decode as float64; anything else is a damaged header.
	p2c, ok := header["p2c"].(float64)
	if !ok || p2c != float64(int(p2c)) || p2c < MinIterations || p2c > MaxIterations {
		return nil, 0, fmt.Errorf("pbes2: iteration count %v is not one the keyring writes", header["p2c"])
	}
	p2s, ok := header["p2s"].(string)
	if !ok {
		return nil, 0, errors.New("pbes2: the salt is missing")
	}
	salt, err = base64url.Decode(p2s)
	if err != nil {
		return nil, 0, fmt.Errorf("pbes2: the salt is damaged: %w", err)
	}
	return salt, int(p2c), nil
}

// readHeader reads the salt and round count from the protected header of
// the JWE in file, when it is one this package derives keys for.
func readHeader(file string) (salt []byte, iterations int, ok bool) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, false
	}
	defer f.Close()
	// The header is the first part of the compact form, well under 1 KiB.
	buf := make([]byte, 1024)
	n, _ := f.Read(buf)
	head, _, found := bytes.Cut(buf[:n], []byte("."))
	if !found {
		return nil, 0, false
	}
	raw, err := base64url.Decode(string(head))
	if err != nil {
		return nil, 0, false
	}
	var h map[string]any
	if json.Unmarshal(raw, &h) != nil || h["alg"] != Alg {
		return nil, 0, false
	}
	salt, iterations, err = Params(h)
	return salt, iterations, err == nil
}
