// vector-regs ITERATIONS: run by test/guest/vector-regs.test.ts inside the
// UML guest. Two threads of one process, pinned to one CPU, each fill the
// widest vector registers the CPU has with their own pattern and hand the CPU
// to each other with a futex, inside one asm statement, then check that the
// registers came back. Each hand-off is a switch between guest threads of one
// host process, where UML moves each thread's vector state through ptrace (and
// the runner's xstate shim): shared state would show as the other thread's
// bytes. Prints one line; exits 0 when every register of every round matched.
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vecregs.h"

static enum vr_mode mode;
static long iterations;
static int turn;  // whose turn it is to run (0 or 1); the futex word

struct worker {
  int me;
  long wrong;       // iterations with at least one wrong byte
  long first_iter;  // the first of them
  char first[160];  // and what was wrong
};

// Loads `in` into the registers, gives the turn to `other`, sleeps until it
// is `me` again, stores the registers into `out`. All in one asm statement:
// no compiler code runs between the load and the store.
#define HANDOFF                  \
  "movl %[other], (%[turn])\n\t" \
  "movl %[nr], %%eax\n\t"        \
  "movq %[turn], %%rdi\n\t"      \
  "movl %[wake], %%esi\n\t"      \
  "movl $1, %%edx\n\t"           \
  "syscall\n\t"                  \
  "1:\n\t"                       \
  "movl (%[turn]), %%eax\n\t"    \
  "cmpl %[me], %%eax\n\t"        \
  "je 2f\n\t"                    \
  "movl %[nr], %%eax\n\t"        \
  "movq %[turn], %%rdi\n\t"      \
  "movl %[wait], %%esi\n\t"      \
  "movl %[other], %%edx\n\t"     \
  "xorl %%r10d, %%r10d\n\t"      \
  "syscall\n\t"                  \
  "jmp 1b\n\t"                   \
  "2:\n\t"
#define HANDOFF_OPERANDS                                                              \
  [in] "r"(in), [out] "r"(out), [turn] "r"(&turn), [me] "r"(me), [other] "r"(1 - me), \
      [nr] "i"(SYS_futex), [wake] "i"(FUTEX_WAKE_PRIVATE), [wait] "i"(FUTEX_WAIT_PRIVATE)
#define HANDOFF_CLOBBERS "rax", "rcx", "rdx", "rsi", "rdi", "r10", "r11", "memory", "cc"

__attribute__((target("avx512f"))) static void round_zmm(const struct vr_state *in,
                                                         struct vr_state *out, int me) {
  __asm__ volatile(VR_LOAD_ZMM HANDOFF VR_STORE_ZMM
                   :
                   : HANDOFF_OPERANDS
                   : HANDOFF_CLOBBERS, VR_CLOBBER_ZMM);
}

__attribute__((target("avx"))) static void round_ymm(const struct vr_state *in,
                                                     struct vr_state *out, int me) {
  __asm__ volatile(VR_LOAD_YMM HANDOFF VR_STORE_YMM
                   :
                   : HANDOFF_OPERANDS
                   : HANDOFF_CLOBBERS, VR_CLOBBER_YMM);
}

static void *work(void *arg) {
  struct worker *w = arg;
  struct vr_state in, out;
  for (long i = 0; i < iterations; i++) {
    vr_fill(&in, ((uint64_t)w->me << 40) ^ (uint64_t)i);
    memset(&out, 0, sizeof out);
    if (mode == VR_ZMM)
      round_zmm(&in, &out, w->me);
    else
      round_ymm(&in, &out, w->me);
    char what[160];
    if (vr_diff(mode, &out, &in, what, sizeof what) >= 0 && w->wrong++ == 0) {
      w->first_iter = i;
      snprintf(w->first, sizeof w->first, "%s", what);
    }
  }
  // The other thread's last round waits for a turn that no round gives back.
  __atomic_store_n(&turn, 1 - w->me, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  return NULL;
}

int main(int argc, char **argv) {
  iterations = argc > 1 ? atol(argv[1]) : 0;
  if (iterations <= 0) {
    fprintf(stderr, "usage: vector-regs ITERATIONS\n");
    return 2;
  }
  mode = vr_detect();
  if (mode == VR_NONE) {
    printf("vector-regs: this CPU or kernel has no AVX\n");
    return 1;
  }
  // One CPU: every hand-off is a switch between the two threads.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) perror("vector-regs: sched_setaffinity");

  struct worker w[2] = {{.me = 0}, {.me = 1}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    if (pthread_create(&t[i], NULL, work, &w[i]) != 0) {
      fprintf(stderr, "vector-regs: pthread_create failed\n");
      return 1;
    }
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);

  int ok = 1;
  for (int i = 0; i < 2; i++)
    if (w[i].wrong) {
      ok = 0;
      printf("vector-regs: mode=%s thread %d: %ld of %ld rounds wrong, first at round %ld: %s\n",
             vr_name(mode), i, w[i].wrong, iterations, w[i].first_iter, w[i].first);
    }
  if (ok)
    printf("vector-regs: mode=%s bytes=%zu threads=2 rounds=%ld ok\n", vr_name(mode),
           vr_bytes(mode), iterations);
  return ok ? 0 : 1;
}
