// The widest vector registers this CPU and kernel let a process use (zmm0-31
// and k0-7 with AVX-512, else ymm0-15 with AVX), a pattern to fill them with,
// and asm pieces that load them from memory and store them back, so that a
// program can put a known state in every register, let something happen (a
// context switch, a ptrace stop) inside the same asm statement, and see what
// came back. Shared by vector-regs.c (guest) and xstate-shim-check.c (host).
#ifndef NLW_VECREGS_H
#define NLW_VECREGS_H

#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum vr_mode { VR_NONE, VR_YMM, VR_ZMM };

// zmm0-31 (64 bytes each), then k0-7 (2 bytes each: kmovw needs only AVX512F).
#define VR_ZMM_BYTES (32 * 64 + 8 * 2)
#define VR_YMM_BYTES (16 * 32)

struct vr_state {
  _Alignas(64) uint8_t b[VR_ZMM_BYTES];
};

static inline enum vr_mode vr_detect(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return VR_NONE;
  if (!(c & bit_OSXSAVE) || !(c & bit_AVX)) return VR_NONE;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 0x6) != 0x6) return VR_NONE;  // the OS saves SSE and AVX state
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return VR_YMM;
  // AVX-512 needs the OS to save opmask, ZMM_Hi256 and Hi16_ZMM too.
  if ((b & bit_AVX512F) && (lo & 0xe0) == 0xe0) return VR_ZMM;
  return VR_YMM;
}

static inline const char *vr_name(enum vr_mode m) {
  return m == VR_ZMM ? "zmm" : m == VR_YMM ? "ymm" : "none";
}

static inline size_t vr_bytes(enum vr_mode m) {
  return m == VR_ZMM ? VR_ZMM_BYTES : m == VR_YMM ? VR_YMM_BYTES : 0;
}

// Distinct, non-zero-looking bytes for every (seed, byte) pair.
static inline void vr_fill(struct vr_state *s, uint64_t seed) {
  for (size_t i = 0; i < sizeof s->b; i += 8) {
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + i;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    memcpy(s->b + i, &z, 8);
  }
}

// -1 if the registers of mode m agree, else the first differing byte; `what`
// names the register and which XSAVE component holds that byte.
static inline long vr_diff(enum vr_mode m, const struct vr_state *got, const struct vr_state *want,
                           char *what, size_t what_len) {
  size_t n = vr_bytes(m);
  for (size_t i = 0; i < n; i++) {
    if (got->b[i] == want->b[i]) continue;
    if (m == VR_ZMM && i >= 32 * 64) {
      snprintf(what, what_len, "k%zu (opmask) byte %zu", (i - 2048) / 2, (i - 2048) % 2);
    } else {
      size_t width = m == VR_ZMM ? 64 : 32, reg = i / width, at = i % width;
      const char *part = reg >= 16  ? "Hi16_ZMM"
                         : at >= 32 ? "ZMM_Hi256"
                         : at >= 16 ? "AVX (YMM_Hi128)"
                                    : "SSE";
      snprintf(what, what_len, "%s%zu byte %zu (%s): 0x%02x, want 0x%02x", vr_name(m), reg, at,
               part, got->b[i], want->b[i]);
    }
    return (long)i;
  }
  return -1;
}

// Asm text. Operands: %[in] and %[out] point to a struct vr_state.
#define VR_LOAD_ZMM                                                                            \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30," \
  "31\n\t"                                                                                     \
  "vmovdqu64 \\r*64(%[in]), %%zmm\\r\n\t"                                                      \
  ".endr\n\t"                                                                                  \
  ".irp r,0,1,2,3,4,5,6,7\n\t"                                                                 \
  "kmovw 2048+\\r*2(%[in]), %%k\\r\n\t"                                                        \
  ".endr\n\t"
#define VR_STORE_ZMM                                                                           \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30," \
  "31\n\t"                                                                                     \
  "vmovdqu64 %%zmm\\r, \\r*64(%[out])\n\t"                                                     \
  ".endr\n\t"                                                                                  \
  ".irp r,0,1,2,3,4,5,6,7\n\t"                                                                 \
  "kmovw %%k\\r, 2048+\\r*2(%[out])\n\t"                                                       \
  ".endr\n\t"
#define VR_LOAD_YMM                                  \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t" \
  "vmovdqu \\r*32(%[in]), %%ymm\\r\n\t"              \
  ".endr\n\t"
#define VR_STORE_YMM                                 \
  ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t" \
  "vmovdqu %%ymm\\r, \\r*32(%[out])\n\t"             \
  ".endr\n\t"

#define VR_CLOBBER_YMM                                                                     \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define VR_CLOBBER_ZMM                                                                             \
  VR_CLOBBER_YMM, "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", \
      "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k0", "k1", "k2", "k3", "k4", \
      "k5", "k6", "k7"

#endif
