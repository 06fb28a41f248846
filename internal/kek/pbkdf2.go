package kek

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// pbkdf2SHA256 is the first 32-byte block of PBKDF2-HMAC-SHA256, all a
// 16-byte key needs, for about three quarters of crypto/pbkdf2's work.
// Each round hashes two blocks, the inner and the outer HMAC; HMAC's Sum
// pads each and copies a whole digest to do so. Here both blocks are
// padded once, written whole to a SHA-256 set back to the saved state of
// its key pad, and the result read from the state that MarshalBinary
// shows. That layout is crypto/sha256's and not documented, so the second
// round is checked against crypto/hmac, and on any difference ok is false
// and the caller uses crypto/pbkdf2.
func pbkdf2SHA256(passphrase string, salt []byte, iterations int) (block []byte, ok bool) {
	key := []byte(passphrase)
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(salt)
	mac.Write([]byte{0, 0, 0, 1})
	u := mac.Sum(nil)
	t := bytes.Clone(u)
	if iterations < 2 {
		return t, true
	}
	mac.Reset()
	mac.Write(u)
	second := mac.Sum(nil)

	inner, ok1 := newPad(key, 0x36)
	outer, ok2 := newPad(key, 0x5c)
	if !ok1 || !ok2 {
		return nil, false
	}
	// Either hash's second block: a 32-byte digest, then SHA-256's padding
	// for a message of one key-pad block and that digest.
	var msg [sha256.BlockSize]byte
	msg[sha256.Size] = 0x80
	binary.BigEndian.PutUint64(msg[sha256.BlockSize-8:], (sha256.BlockSize+sha256.Size)*8)
	for n := 2; n <= iterations; n++ {
		copy(msg[:sha256.Size], u)
		if copy(msg[:sha256.Size], inner.sum(&msg)) != sha256.Size {
			return nil, false
		}
		u = outer.sum(&msg)
		if len(u) != sha256.Size || n == 2 && !bytes.Equal(u, second) {
			return nil, false
		}
		for i := range t {
			t[i] ^= u[i]
		}
	}
	return t, true
}

// pad is a SHA-256 that can be set back to where it stood after one HMAC
// key pad.
type pad struct {
	h     hash.Hash
	load  encoding.BinaryUnmarshaler
	save  encoding.BinaryAppender
	start []byte
	state []byte
}

func newPad(key []byte, b byte) (*pad, bool) {
	var block [sha256.BlockSize]byte
	copy(block[:], key)
	for i := range block {
		block[i] ^= b
	}
	p := &pad{h: sha256.New(), state: make([]byte, 0, 128)}
	p.h.Write(block[:])
	m, ok := p.h.(encoding.BinaryMarshaler)
	if !ok {
		return nil, false
	}
	start, err := m.MarshalBinary()
	if err != nil {
		return nil, false
	}
	p.start = start
	p.load, ok = p.h.(encoding.BinaryUnmarshaler)
	if !ok {
		return nil, false
	}
	p.save, ok = p.h.(encoding.BinaryAppender)
	return p, ok
}

// sum hashes the pad's block and then msg, a final block padded already,
// and returns the digest, which is then the whole chaining state: the 32
// bytes after MarshalBinary's 4-byte magic. It returns nil on an error.
func (p *pad) sum(msg *[sha256.BlockSize]byte) []byte {
	if p.load.UnmarshalBinary(p.start) != nil {
		return nil
	}
	p.h.Write(msg[:])
	state, err := p.save.AppendBinary(p.state[:0])
	if err != nil || len(state) < 4+sha256.Size {
		return nil
	}
	p.state = state
	return state[4 : 4+sha256.Size]
}
