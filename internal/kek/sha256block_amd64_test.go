package kek

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// shaNI agrees with what the kernel says of the CPU.
func TestSHANIDetection(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo to compare with")
	}
	var flags []string
	for _, line := range strings.Split(string(info), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(value)
			break
		}
	}
	has := func(f string) bool {
		for _, g := range flags {
			if g == f {
				return true
			}
		}
		return false
	}
	if want := has("sha_ni") && has("ssse3") && has("sse4_1"); shaNI() != want {
		t.Errorf("shaNI() = %v; /proc/cpuinfo says %v", shaNI(), want)
	}
}

// One block from SHA-256's initial state is what crypto/sha256 keeps after
// writing that block.
func TestBlockMatchesSHA256(t *testing.T) {
	if !shaNI() {
		t.Skip("this CPU has no SHA instructions")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		var p [64]byte
		for j := range p {
			p[j] = byte(r.Uint32())
		}
		if i == 0 {
			p = [64]byte{}
		}
		checkBlock(t, p)
	}
}

func FuzzBlock(f *testing.F) {
	if !shaNI() {
		f.Skip("this CPU has no SHA instructions")
	}
	f.Add(make([]byte, 64))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p [64]byte
		copy(p[:], b)
		checkBlock(t, p)
	})
}

func checkBlock(t *testing.T, p [64]byte) {
	t.Helper()
	h := [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	if !block(&h, &p) {
		t.Fatal("block did nothing")
	}
	d := sha256.New()
	d.Write(p[:])
	state, err := d.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for i := range h {
		if want := binary.BigEndian.Uint32(state[4+4*i:]); h[i] != want {
			t.Fatalf("block(%x): word %d = %08x, want %08x", p, i, h[i], want)
		}
	}
}
