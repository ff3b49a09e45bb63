// xstate-shim-check ROUNDS: run by test/uml/xstate-shim.test.ts on the host, with
// xstate-shim.so preloaded. Does to a child what UML does to a host process
// that runs two guest threads: at every stop it saves the running "thread"'s
// vector state into that thread's buffer and restores the other thread's,
// with PTRACE_GETREGSET/SETREGSET(NT_X86_XSTATE) and UML's 2696-byte buffers.
// The child fills the widest vector registers with a new pattern each round,
// stops (int3) inside the same asm statement and then checks that it got the
// other thread's registers of the round before, byte for byte.
//
// Also prints, through raw syscalls that bypass the shim, the host's XSAVE
// size for ptrace and what the kernel answers to a short SETREGSET; and checks
// that a request the shim does not translate (PEEKDATA) still works.
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vecregs.h"

#define UML_FP_BYTES 2696  // Debian's UML 6.1: HOST_FP_SIZE
#define UAPI_XSTATE_BYTES 832

static const uint64_t marker = 0x6e6c777261702121ull;

__attribute__((target("avx512f"))) static void stop_zmm(const struct vr_state *in,
                                                        struct vr_state *out) {
  __asm__ volatile(VR_LOAD_ZMM "int3\n\t" VR_STORE_ZMM
                   :
                   : [in] "r"(in), [out] "r"(out)
                   : "memory", VR_CLOBBER_ZMM);
}

__attribute__((target("avx"))) static void stop_ymm(const struct vr_state *in,
                                                    struct vr_state *out) {
  __asm__ volatile(VR_LOAD_YMM "int3\n\t" VR_STORE_YMM
                   :
                   : [in] "r"(in), [out] "r"(out)
                   : "memory", VR_CLOBBER_YMM);
}

// Round j hands the registers to the tracer, which saves them as thread j%2
// and restores thread (j+1)%2: what comes back is round j-1's pattern (round
// 0's, the first time, whose state the tracer copied as a new thread's).
static int child(enum vr_mode mode, long rounds) {
  if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(3);
  raise(SIGSTOP);
  struct vr_state in, out, want;
  long wrong = 0;
  for (long j = 0; j < rounds; j++) {
    vr_fill(&in, (uint64_t)j);
    memset(&out, 0, sizeof out);
    if (mode == VR_ZMM)
      stop_zmm(&in, &out);
    else
      stop_ymm(&in, &out);
    vr_fill(&want, (uint64_t)(j ? j - 1 : 0));
    char what[160];
    if (vr_diff(mode, &out, &want, what, sizeof what) >= 0 && wrong++ == 0)
      fprintf(stderr, "xstate-shim-check: round %ld: %s\n", j, what);
  }
  if (wrong) fprintf(stderr, "xstate-shim-check: %ld of %ld rounds wrong\n", wrong, rounds);
  _exit(wrong ? 1 : 0);
}

static long raw_ptrace(long req, pid_t pid, long addr, void *data) {
  return syscall(SYS_ptrace, req, pid, addr, data);
}

static void fail(pid_t pid, const char *what) {
  perror(what);
  kill(pid, SIGKILL);
  exit(3);
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 0;
  if (rounds < 2) {
    fprintf(stderr, "usage: xstate-shim-check ROUNDS (>= 2)\n");
    return 2;
  }
  enum vr_mode mode = vr_detect();
  if (mode == VR_NONE) {
    fprintf(stderr, "xstate-shim-check: this CPU or kernel has no AVX\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) return 3;
  if (pid == 0) child(mode, rounds);
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) fail(pid, "first stop");

  // What the kernel says without the shim.
  size_t big = 1 << 20;
  unsigned char *raw = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) fail(pid, "mmap");
  struct iovec iov = {raw, big};
  if (raw_ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov) != 0) fail(pid, "raw GETREGSET");
  size_t host = iov.iov_len;
  iov.iov_len = UAPI_XSTATE_BYTES;
  long r = raw_ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov);
  int short_errno = r ? errno : 0;
  iov.iov_len = UML_FP_BYTES;
  r = raw_ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov);
  int uml_errno = r ? errno : 0;
  printf("host_xsave_bytes=%zu mode=%s raw_set_%d_errno=%d raw_set_%d_errno=%d\n", host,
         vr_name(mode), UAPI_XSTATE_BYTES, short_errno, UML_FP_BYTES, uml_errno);

  errno = 0;
  long word = ptrace(PTRACE_PEEKDATA, pid, (void *)&marker, NULL);
  if (errno || (uint64_t)word != marker) fail(pid, "PEEKDATA through the shim");

  static _Alignas(64) unsigned char buf[2][UML_FP_BYTES];
  int cur = 0;
  if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0) fail(pid, "CONT");
  for (long j = 0; j < rounds; j++) {
    if (waitpid(pid, &st, 0) != pid) fail(pid, "waitpid");
    if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
      fprintf(stderr, "xstate-shim-check: round %ld: child status %#x, not a trap stop\n", j, st);
      kill(pid, SIGKILL);
      return 3;
    }
    struct iovec save = {buf[cur], UML_FP_BYTES};
    if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &save) != 0) fail(pid, "GETREGSET");
    if (j == 0) memcpy(buf[1], buf[0], UML_FP_BYTES);  // a new thread: a copy of its parent
    cur ^= 1;
    struct iovec restore = {buf[cur], UML_FP_BYTES};
    if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &restore) != 0) fail(pid, "SETREGSET");
    if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0) fail(pid, "CONT");
  }
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
    fprintf(stderr, "xstate-shim-check: child did not exit (status %#x)\n", st);
    return 3;
  }
  if (WEXITSTATUS(st) != 0) return 1;
  printf("xstate-shim-check: %ld rounds ok\n", rounds);
  return 0;
}
