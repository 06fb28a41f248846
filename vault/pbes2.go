package vault

import (
	"crypto/rand"
	"errors"
	"sync"

	jose "github.com/dvsekhvalnov/jose2go"
	"github.com/dvsekhvalnov/jose2go/aes"
	"github.com/dvsekhvalnov/jose2go/base64url"

	"github.com/awsx-cli/awsx/internal/kek"
)

// The file keyring encrypts each item as a JWE whose content key is
// wrapped with PBES2-HS256+A128KW (RFC 7518 §4.8): a key derived from the
// passphrase by PBKDF2-HMAC-SHA256 over 8192 rounds, then AES key wrap.
// Deriving that key is most of a warm exec's own work. jose2go allocates
// twice per round (16 384 allocations, half a megabyte of garbage that a
// fresh process pays for in page faults); the standard library's PBKDF2
// derives the same bytes in two thirds of the time without them. pbes2
// is the same algorithm on that KDF, registered in jose2go's place, so
// the files stay exactly what the keyring library writes and reads. The
// key derivation itself is package kek's, which may have started it
// before it is asked for.
type pbes2 struct{}

const pbes2SaltBytes = 12 // what jose2go writes

var registerPBES2 sync.Once

// usePBES2 puts pbes2 in place of jose2go's own implementation; it is
// called before the file keyring is first opened.
func usePBES2() { registerPBES2.Do(func() { jose.RegisterJwa(pbes2{}) }) }

func (pbes2) Name() string { return jose.PBES2_HS256_A128KW }

func (pbes2) WrapNewKey(cekSizeBits int, key any, header map[string]any) (cek, encryptedCek []byte, err error) {
	passphrase, ok := key.(string)
	if !ok {
		return nil, nil, errors.New("pbes2: the key is not a passphrase")
	}
	salt := make([]byte, pbes2SaltBytes)
	cek = make([]byte, cekSizeBits/8)
	if _, err := rand.Read(salt); err != nil {
		return nil, nil, err
	}
	if _, err := rand.Read(cek); err != nil {
		return nil, nil, err
	}
	header["p2c"] = kek.Iterations
	header["p2s"] = base64url.Encode(salt)
	wrapKey, err := kek.Derive(passphrase, salt, kek.Iterations)
	if err != nil {
		return nil, nil, err
	}
	encryptedCek, err = aes.KeyWrap(cek, wrapKey)
	if err != nil {
		return nil, nil, err
	}
	return cek, encryptedCek, nil
}

func (pbes2) Unwrap(encryptedCek []byte, key any, cekSizeBits int, header map[string]any) ([]byte, error) {
	passphrase, ok := key.(string)
	if !ok {
		return nil, errors.New("pbes2: the key is not a passphrase")
	}
	// aes.KeyUnwrap's integrity failure is how a wrong passphrase shows;
	// isWrongPassphrase depends on its message.
	return kek.Unwrap(passphrase, header, encryptedCek)
}
