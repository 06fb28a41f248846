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
// 16-byte key needs, for under half (with SHA instructions) to three
// quarters of crypto/pbkdf2's work. Each round hashes two blocks, the
// inner and the outer HMAC; HMAC's Sum pads each and copies a whole digest
// to do so. Here both blocks are padded once and each is compressed from
// the saved state of its key pad: in an assembly loop where the CPU has
// SHA instructions, else through a crypto/sha256 set back to that state
// with UnmarshalBinary. That loop is our own code, and the state layout
// that MarshalBinary shows is crypto/sha256's and not documented, so the
// second round is checked against crypto/hmac, and on any difference ok
// is false and the caller uses crypto/pbkdf2.
func pbkdf2SHA256(passphrase string, salt []byte, iterations int) (out []byte, ok bool) {
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

	rest, ok := roundsNative(key, u, second, iterations)
	if !ok {
		rest, ok = roundsMarshalled(key, u, second, iterations)
	}
	if !ok {
		return nil, false
	}
	for i := range t {
		t[i] ^= rest[i]
	}
	return t, true
}

// finalBlock is either hash's second block: a 32-byte digest, then
// SHA-256's padding for a message of one key-pad block and that digest.
func finalBlock(digest []byte) (msg [sha256.BlockSize]byte) {
	copy(msg[:], digest)
	msg[sha256.Size] = 0x80
	binary.BigEndian.PutUint64(msg[sha256.BlockSize-8:], (sha256.BlockSize+sha256.Size)*8)
	return msg
}

// roundsChunk is how many rounds one call of rounds does at most.
const roundsChunk = 512

// roundsNative is the XOR of rounds 2 to iterations, each U computed from
// u before it, with rounds; ok is false where there is none or round 2 is
// not second.
func roundsNative(key, u, second []byte, iterations int) (sum []byte, ok bool) {
	var pads [16]uint32
	if !keyPad((*[8]uint32)(pads[:8]), key, 0x36) || !keyPad((*[8]uint32)(pads[8:]), key, 0x5c) {
		return nil, false
	}
	var w, acc [8]uint32
	for i := range w {
		w[i] = binary.BigEndian.Uint32(u[4*i:])
	}
	// Round two on its own first, to hold it against crypto/hmac's.
	if !rounds(&pads, &w, &acc, 1) {
		return nil, false
	}
	sum = make([]byte, sha256.Size)
	if putWords(sum, &acc); !bytes.Equal(sum, second) {
		return nil, false
	}
	// The assembly cannot be preempted, and a garbage collection waits for
	// it to return: in chunks of about 60 us, a damaged item asking for a
	// million rounds cannot stall the other goroutines for 100 ms.
	for left := iterations - 2; left > 0; left -= roundsChunk {
		rounds(&pads, &w, &acc, min(left, roundsChunk))
	}
	putWords(sum, &acc)
	return sum, true
}

// keyPad sets h to SHA-256's state after one block, key XOR b.
func keyPad(h *[8]uint32, key []byte, b byte) bool {
	*h = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	var p [sha256.BlockSize]byte
	copy(p[:], key)
	for i := range p {
		p[i] ^= b
	}
	return block(h, &p)
}

func putWords(b []byte, h *[8]uint32) {
	for i, w := range h {
		binary.BigEndian.PutUint32(b[4*i:], w)
	}
}

// roundsMarshalled is roundsNative through crypto/sha256.
func roundsMarshalled(key, u, second []byte, iterations int) (sum []byte, ok bool) {
	inner, ok1 := newPad(key, 0x36)
	outer, ok2 := newPad(key, 0x5c)
	if !ok1 || !ok2 {
		return nil, false
	}
	msg := finalBlock(u)
	sum = make([]byte, sha256.Size)
	for n := 2; n <= iterations; n++ {
		if copy(msg[:sha256.Size], inner.sum(&msg)) != sha256.Size {
			return nil, false
		}
		u = outer.sum(&msg)
		if len(u) != sha256.Size || n == 2 && !bytes.Equal(u, second) {
			return nil, false
		}
		copy(msg[:sha256.Size], u)
		for i := range sum {
			sum[i] ^= u[i]
		}
	}
	return sum, true
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
