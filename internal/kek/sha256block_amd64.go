package kek

import "sync"

//go:noescape
func blockSHANI(h *[8]uint32, p *[64]byte, k *[64]uint32, swap *[16]byte)

//go:noescape
func roundsSHANI(pads *[16]uint32, u, acc *[8]uint32, n int, k *[64]uint32, tail *[8]uint32)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// haveSHANI reports the SHA extensions and the SSSE3 and SSE4.1
// instructions blockSHANI also uses.
func haveSHANI() bool {
	if max, _, _, _ := cpuid(0, 0); max < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	const ssse3, sse41, sha = 1 << 9, 1 << 19, 1 << 29
	return ecx1&ssse3 != 0 && ecx1&sse41 != 0 && ebx7&sha != 0
}

// block compresses p into h, when this machine can do it in one call.
func block(h *[8]uint32, p *[64]byte) bool {
	if !shaNI() {
		return false
	}
	blockSHANI(h, p, &roundConstants, &swapWords)
	return true
}

// rounds does n PBKDF2 rounds from the inner and outer key pads' states:
// u = HMAC(u) and acc ^= u, each time, when this machine can.
func rounds(pads *[16]uint32, u, acc *[8]uint32, n int) bool {
	if !shaNI() {
		return false
	}
	roundsSHANI(pads, u, acc, n, &roundConstants, &digestTail)
	return true
}

// digestTail is the padding of a message of one key-pad block and a
// 32-byte digest, as SHA-256 words 8 to 15.
var digestTail = [8]uint32{0x80000000, 0, 0, 0, 0, 0, 0, (64 + 32) * 8}

// shaNI asks the CPU once, when a key is first derived: CPUID traps to
// the hypervisor in a virtual machine, and most commands derive none.
var shaNI = sync.OnceValue(haveSHANI)

var swapWords = [16]byte{3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12}

// roundConstants is SHA-256's K (FIPS 180-4, 4.2.2).
var roundConstants = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
