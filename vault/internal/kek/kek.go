// Package kek derives the file keyring's key-encrypting keys, and starts
// deriving the one a command will need while awsx is still starting.
//
// A file keyring item is a JWE whose content key is wrapped with
// PBES2-HS256+A128KW: a key derived from the passphrase and the item's
// salt by PBKDF2-HMAC-SHA256 over 8192 rounds. That is about 1.8 ms on
// the 2-core dev machine, as much as all the rest of a warm exec's own
// work, and it cannot be made shorter without weakening the files. It can
// start sooner: the salt is in the item's header, and for `exec PROFILE`
// and `export PROFILE` the item is known from the command line. So this
// package's init starts the derivation on the other core while the
// libraries' package initialisation (about 2.5 ms) still runs on this one.
//
// A guess is only a head start. Key hands out the early key only for
// exactly the passphrase, salt and round count it was derived from, so a
// wrong guess costs idle CPU and nothing else, and nothing is ever stored.
package kek

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/mtibben/percent"
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
	return pbkdf2.Key(sha256.New, passphrase, full, iterations, keyBytes)
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

// ahead is set once, by init, before anything can read it.
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

// HeadStart names the item whose key init started to derive, and whether
// Key has handed that key out; item is empty when nothing was started.
func HeadStart() (item string, used bool) {
	if ahead == nil {
		return "", false
	}
	return ahead.item, ahead.used.Load()
}

func init() {
	home, _ := os.UserHomeDir()
	ahead = start(os.Args[1:], os.Getenv, home)
}

// start guesses, from awsx's command line and environment, the file
// keyring item the command reads first, and starts deriving its key.
func start(args []string, getenv func(string) string, home string) *guess {
	passphrase := getenv("AWSX_FILE_PASSPHRASE")
	if passphrase == "" {
		return nil // a prompt comes later, or another backend is in use
	}
	cmd, rest, backend := commandLine(args)
	if backend == "" {
		backend = getenv("AWSX_BACKEND")
	}
	if (cmd != "exec" && cmd != "export") || (backend != "" && backend != "file") {
		return nil
	}
	dir := filepath.Join(home, ".awsx", "keys")
	if d := getenv("AWSX_FILE_DIR"); d == "~" || strings.HasPrefix(d, "~/") {
		dir = filepath.Join(home, d[1:])
	} else if d != "" {
		dir = d
	}
	// The profile is the first word after the command that is not a
	// flag; a flag's separate value may come first, and names no item.
	// A warm run reads the profile's cached session and nothing else.
	for _, word := range rest {
		item := "session/" + word
		salt, iterations, ok := readHeader(filepath.Join(dir, percent.Encode(item, "/")))
		if !ok {
			continue
		}
		g := &guess{item: item, passphrase: passphrase, salt: salt, iterations: iterations, done: make(chan struct{})}
		go func() {
			g.key, g.err = Derive(g.passphrase, g.salt, g.iterations)
			close(g.done)
		}()
		return g
	}
	return nil
}

// commandLine finds awsx's command in args (the first word that is not a
// global flag), the words after it that are not flags, up to "--", and
// the last --backend given.
func commandLine(args []string) (cmd string, words []string, backend string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return cmd, words, backend
		case a == "--backend" && i+1 < len(args):
			backend = args[i+1]
			i++
		case strings.HasPrefix(a, "--backend="):
			backend = strings.TrimPrefix(a, "--backend=")
		case strings.HasPrefix(a, "-"):
		case cmd == "":
			cmd = a
		default:
			words = append(words, a)
		}
	}
	return cmd, words, backend
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
	raw, err := base64.RawURLEncoding.DecodeString(string(head))
	if err != nil {
		return nil, 0, false
	}
	var h struct {
		Alg string `json:"alg"`
		P2C int    `json:"p2c"`
		P2S string `json:"p2s"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Alg != Alg || h.P2C < MinIterations || h.P2C > MaxIterations {
		return nil, 0, false
	}
	salt, err = base64.RawURLEncoding.DecodeString(h.P2S)
	if err != nil {
		return nil, 0, false
	}
	return salt, h.P2C, true
}
