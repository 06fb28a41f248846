#include "textflag.h"

// The state is in X1 (ABEF) and X2 (CDGH), the form SHA256RNDS2 takes;
// X3-X6 hold message words 0-15, AX points at the round constants; X0,
// X7 and X11 are scratch.

// Four rounds: two on X0's low half (message words plus constants), two
// on its high half.
#define ROUNDS4 \
	SHA256RNDS2 X0, X1, X2; \
	PSHUFD $0x0E, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// X0 = the message words in m, for rounds 4g to 4g+3, plus their constants.
#define WORDS(g, m) \
	MOVO m, X0; \
	MOVOU (16*g)(AX), X11; \
	PADDD X11, X0

// The schedule's second half for the group after cur: next holds
// W[t-16]+σ0(W[t-15]) from SHA256MSG1; add W[t-7], then σ1(W[t-2]).
#define SCHEDULE(cur, prev, next) \
	MOVO cur, X7; \
	PALIGNR $4, prev, X7; \
	PADDD X7, next; \
	SHA256MSG2 cur, next

// A group late in the block, which needs no more of the schedule's
// first half.
#define LATE(g, cur, prev, next) \
	WORDS(g, cur); \
	SHA256RNDS2 X0, X1, X2; \
	SCHEDULE(cur, prev, next); \
	PSHUFD $0x0E, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// A group in the middle, which also starts the schedule of prev.
#define MIDDLE(g, cur, prev, next) \
	LATE(g, cur, prev, next); \
	SHA256MSG1 cur, prev

// The 64 rounds, without the final addition of the state they began from.
#define COMPRESS \
	WORDS(0, X3); ROUNDS4; \
	WORDS(1, X4); ROUNDS4; SHA256MSG1 X4, X3; \
	WORDS(2, X5); ROUNDS4; SHA256MSG1 X5, X4; \
	MIDDLE(3, X6, X5, X3); \
	MIDDLE(4, X3, X6, X4); \
	MIDDLE(5, X4, X3, X5); \
	MIDDLE(6, X5, X4, X6); \
	MIDDLE(7, X6, X5, X3); \
	MIDDLE(8, X3, X6, X4); \
	MIDDLE(9, X4, X3, X5); \
	MIDDLE(10, X5, X4, X6); \
	MIDDLE(11, X6, X5, X3); \
	MIDDLE(12, X3, X6, X4); \
	LATE(13, X4, X3, X5); \
	LATE(14, X5, X4, X6); \
	WORDS(15, X6); ROUNDS4

// abef and cdgh = the state A..H at mem (native words), as the
// instructions want it.
#define TOABEF(mem, abef, cdgh) \
	MOVOU mem, X7; \
	MOVOU 16+mem, cdgh; \
	PSHUFD $0xB1, X7, X7; \
	PSHUFD $0x1B, cdgh, cdgh; \
	MOVO X7, abef; \
	PALIGNR $8, cdgh, abef; \
	PBLENDW $0xF0, X7, cdgh

// X1 and X2 back to A..D and E..H in lane order.
#define FROMABEF \
	PSHUFD $0x1B, X1, X1; \
	PSHUFD $0xB1, X2, X2; \
	MOVO X1, X7; \
	PBLENDW $0xF0, X2, X1; \
	PALIGNR $8, X7, X2

// func blockSHANI(h *[8]uint32, p *[64]byte, k *[64]uint32, swap *[16]byte)
//
// One SHA-256 compression of p into h with the SHA extensions. k is the
// round constant table and swap the PSHUFB mask that turns each
// big-endian word into a native one; both come from Go so that no
// alignment of data symbols is assumed, all loads being unaligned.
TEXT ·blockSHANI(SB), NOSPLIT, $0-32
	MOVQ h+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ k+16(FP), AX
	MOVQ swap+24(FP), BX
	MOVOU (BX), X8

	TOABEF(0(DI), X1, X2)
	MOVO X1, X9
	MOVO X2, X10

	MOVOU 0(SI), X3
	PSHUFB X8, X3
	MOVOU 16(SI), X4
	PSHUFB X8, X4
	MOVOU 32(SI), X5
	PSHUFB X8, X5
	MOVOU 48(SI), X6
	PSHUFB X8, X6

	COMPRESS

	PADDD X9, X1
	PADDD X10, X2
	FROMABEF
	MOVOU X1, 0(DI)
	MOVOU X2, 16(DI)
	RET

// func roundsSHANI(pads *[16]uint32, u *[8]uint32, acc *[8]uint32, n int, k *[64]uint32, tail *[8]uint32)
//
// n PBKDF2-HMAC-SHA256 rounds: u = HMAC(u), acc ^= u, each HMAC two
// compressions from the inner and the outer key pad's state (pads[:8],
// pads[8:]). The message of either is a 32-byte digest, whose words are
// the state words as they are, then tail: SHA-256's padding words. n > 0.
TEXT ·roundsSHANI(SB), NOSPLIT, $0-48
	MOVQ pads+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ acc+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ k+32(FP), AX
	MOVQ tail+40(FP), BX

	TOABEF(0(DI), X12, X13)
	TOABEF(32(DI), X14, X15)
	MOVOU 0(SI), X8
	MOVOU 16(SI), X9

loop:
	MOVO X12, X1
	MOVO X13, X2
	MOVO X8, X3
	MOVO X9, X4
	MOVOU 0(BX), X5
	MOVOU 16(BX), X6
	COMPRESS
	PADDD X12, X1
	PADDD X13, X2
	FROMABEF
	MOVO X1, X8
	MOVO X2, X9

	MOVO X14, X1
	MOVO X15, X2
	MOVO X8, X3
	MOVO X9, X4
	MOVOU 0(BX), X5
	MOVOU 16(BX), X6
	COMPRESS
	PADDD X14, X1
	PADDD X15, X2
	FROMABEF
	MOVO X1, X8
	MOVO X2, X9

	MOVOU 0(DX), X7
	PXOR X8, X7
	MOVOU X7, 0(DX)
	MOVOU 16(DX), X7
	PXOR X9, X7
	MOVOU X7, 16(DX)

	DECQ CX
	JNZ loop

	MOVOU X8, 0(SI)
	MOVOU X9, 16(SI)
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET
