#include "textflag.h"

// Two SHA-256 rounds on the ABEF/CDGH state in X1/X2, with the message
// words plus round constants for them in X0's low half, then the next two
// from its high half.
#define ROUNDS4 \
	SHA256RNDS2 X0, X1, X2; \
	PSHUFD $0x0E, X0, X0; \
	SHA256RNDS2 X0, X2, X1

// X0 = message words 4g..4g+3 (byte-swapped into m) plus their constants.
#define LOAD(g, m) \
	MOVOU (16*g)(SI), X0; \
	PSHUFB X8, X0; \
	MOVO X0, m; \
	MOVOU (16*g)(AX), X11; \
	PADDD X11, X0

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

	// h is A..H in memory order; the instructions want ABEF and CDGH.
	MOVOU 0(DI), X7
	MOVOU 16(DI), X2
	PSHUFD $0xB1, X7, X7
	PSHUFD $0x1B, X2, X2
	MOVO X7, X1
	PALIGNR $8, X2, X1
	PBLENDW $0xF0, X7, X2
	MOVO X1, X9
	MOVO X2, X10

	LOAD(0, X3)
	ROUNDS4

	LOAD(1, X4)
	ROUNDS4
	SHA256MSG1 X4, X3

	LOAD(2, X5)
	ROUNDS4
	SHA256MSG1 X5, X4

	LOAD(3, X6)
	SHA256RNDS2 X0, X1, X2
	SCHEDULE(X6, X5, X3)
	PSHUFD $0x0E, X0, X0
	SHA256RNDS2 X0, X2, X1
	SHA256MSG1 X6, X5

#define MIDDLE(g, cur, prev, next) \
	WORDS(g, cur); \
	SHA256RNDS2 X0, X1, X2; \
	SCHEDULE(cur, prev, next); \
	PSHUFD $0x0E, X0, X0; \
	SHA256RNDS2 X0, X2, X1; \
	SHA256MSG1 cur, prev

	MIDDLE(4, X3, X6, X4)
	MIDDLE(5, X4, X3, X5)
	MIDDLE(6, X5, X4, X6)
	MIDDLE(7, X6, X5, X3)
	MIDDLE(8, X3, X6, X4)
	MIDDLE(9, X4, X3, X5)
	MIDDLE(10, X5, X4, X6)
	MIDDLE(11, X6, X5, X3)
	MIDDLE(12, X3, X6, X4)

	// The last groups need no more of the schedule's first half.
	WORDS(13, X4)
	SHA256RNDS2 X0, X1, X2
	SCHEDULE(X4, X3, X5)
	PSHUFD $0x0E, X0, X0
	SHA256RNDS2 X0, X2, X1

	WORDS(14, X5)
	SHA256RNDS2 X0, X1, X2
	SCHEDULE(X5, X4, X6)
	PSHUFD $0x0E, X0, X0
	SHA256RNDS2 X0, X2, X1

	WORDS(15, X6)
	ROUNDS4

	PADDD X9, X1
	PADDD X10, X2

	// Back from ABEF and CDGH to A..H.
	PSHUFD $0x1B, X1, X1
	PSHUFD $0xB1, X2, X2
	MOVO X1, X7
	PBLENDW $0xF0, X2, X1
	PALIGNR $8, X7, X2
	MOVOU X1, 0(DI)
	MOVOU X2, 16(DI)
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
