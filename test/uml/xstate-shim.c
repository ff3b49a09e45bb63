// LD_PRELOAD library for linux.uml (see run-guest.sh): lets Debian's UML 6.1
// save and restore guest threads' vector registers on any x86-64 host.
//
// UML keeps each guest thread's FPU state in a buffer of its own and moves it
// in and out of the host process that runs the thread with
// ptrace(PTRACE_GETREGSET / PTRACE_SETREGSET, NT_X86_XSTATE). In 6.1 that
// buffer is a fixed 2696 bytes (x87, SSE, AVX, MPX, AVX-512, PKRU in the
// standard XSAVE layout). The host kernel clips iov_len to its own XSAVE size
// and then accepts a SET only if the result is exactly that size: a host whose
// XSAVE area is at most 2696 bytes works (the AMD EPYC with AVX-512 these tests
// were written on has 2432), a larger one (AMX adds TILECFG and 8 KiB of
// TILEDATA: about 11 KB) fails every SET with EFAULT and init dies.
//
// This library wraps ptrace() and handles only those two requests: it keeps a
// full-size shadow of the host state per UML buffer (one per guest thread),
// gives UML the first NLW_XSTATE_KEEP_BYTES (or all it asks for, if less) and
// keeps the rest in the shadow, so the host always gets a full-size SET. The
// host size comes from one GETREGSET with a large buffer, which the kernel
// shortens to the real size. Every other request passes through untouched.
//
// The runner keeps 832 bytes (struct _xstate: x87, SSE, AVX, the part UML's
// own signal frames carry) on every host, so the translation runs everywhere,
// including hosts that would not need it, and is what the guest tests check.
//
// NLW_XSTATE_STATS=file: at exit, one line of counters is written there.
// XSTATE_SHIM_KEY_PER_PROCESS (compile-time, for tests only): key shadows by
// traced pid instead of by buffer, so guest threads of one process share the
// state beyond the prefix: a deliberately wrong build that a test must catch.
//
// UML issues these requests from its single CPU thread; there is no locking.
// Memory comes straight from mmap, apart from the C heap that UML also uses.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

typedef long (*ptrace_fn)(enum __ptrace_request, ...);

// Legacy area (512) + XSAVE header (64): the least a prefix can be.
#define MIN_KEEP 576

static ptrace_fn real_ptrace;
static pid_t loader_pid;
static size_t keep_limit;  // 0: keep whatever UML asks for
static size_t host_size;   // 0: not probed yet
static size_t uml_size;    // the last iov_len UML used
static unsigned long n_get, n_set, n_pass, n_shadows;

struct slot {
  uintptr_t key;  // 0: empty
  unsigned char *shadow;
};
static struct slot *slots;
static size_t n_slots, n_used;

static void *map(size_t len) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static struct slot *find(uintptr_t key) {
  size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (n_slots - 1);
  while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & (n_slots - 1);
  return &slots[i];
}

// Open addressing, at most half full; grows by doubling.
static int reserve(void) {
  if (n_slots != 0 && 2 * (n_used + 1) <= n_slots) return 0;
  size_t old_n = n_slots;
  struct slot *old = slots;
  size_t n = old_n ? 2 * old_n : 256;
  struct slot *fresh = map(n * sizeof *fresh);
  if (!fresh) return -1;
  slots = fresh;
  n_slots = n;
  for (size_t i = 0; i < old_n; i++)
    if (old[i].key) *find(old[i].key) = old[i];
  if (old) munmap(old, old_n * sizeof *old);
  return 0;
}

// The host's XSAVE size for ptrace: GETREGSET shortens iov_len to it.
static size_t probe(pid_t pid) {
  for (size_t len = 16384; len <= ((size_t)1 << 24); len *= 2) {
    void *buf = map(len);
    if (!buf) return 0;
    struct iovec iov = {buf, len};
    long r = real_ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
    int e = errno;
    munmap(buf, len);
    errno = e;
    if (r != 0) return 0;
    if (iov.iov_len < len) return iov.iov_len;
  }
  return 0;
}

static long pass(enum __ptrace_request req, pid_t pid, void *addr, void *data) {
  return real_ptrace(req, pid, addr, data);
}

static long xstate(enum __ptrace_request req, pid_t pid, struct iovec *iov) {
  if (!iov || !iov->iov_base) return pass(req, pid, (void *)NT_X86_XSTATE, iov);
  if (!host_size) host_size = probe(pid);
  uml_size = iov->iov_len;
  size_t keep = iov->iov_len;
  if (keep_limit && keep_limit < keep) keep = keep_limit;
  // A prefix that holds the whole host state needs no translation: the
  // kernel clips a longer iov_len itself.
  if (!host_size || keep < MIN_KEEP || keep >= host_size) {
    n_pass++;
    return pass(req, pid, (void *)NT_X86_XSTATE, iov);
  }
#ifdef XSTATE_SHIM_KEY_PER_PROCESS
  uintptr_t key = (uintptr_t)pid;
#else
  uintptr_t key = (uintptr_t)iov->iov_base;
#endif
  if (reserve() != 0) return pass(req, pid, (void *)NT_X86_XSTATE, iov);
  struct slot *s = find(key);
  if (!s->key) {
    // A buffer not seen before: its shadow starts as the tracee's current
    // state, so a first SET changes only the prefix, as a short SET would.
    unsigned char *shadow = map(host_size);
    if (!shadow) return pass(req, pid, (void *)NT_X86_XSTATE, iov);
    struct iovec now = {shadow, host_size};
    if (real_ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &now) != 0) {
      int e = errno;
      munmap(shadow, host_size);
      errno = e;
      return -1;
    }
    s->key = key;
    s->shadow = shadow;
    n_used++;
    n_shadows++;
  }
  struct iovec full = {s->shadow, host_size};
  if (req == PTRACE_GETREGSET) {
    if (real_ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &full) != 0) return -1;
    size_t n = full.iov_len < keep ? full.iov_len : keep;
    memcpy(iov->iov_base, s->shadow, n);
    iov->iov_len = n;
    n_get++;
    return 0;
  }
  memcpy(s->shadow, iov->iov_base, keep);
  if (real_ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &full) != 0) return -1;
  iov->iov_len = keep;
  n_set++;
  return 0;
}

long ptrace(enum __ptrace_request req, ...) {
  va_list ap;
  va_start(ap, req);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);
  if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) && (uintptr_t)addr == NT_X86_XSTATE)
    return xstate(req, pid, data);
  return pass(req, pid, addr, data);
}

__attribute__((constructor)) static void init(void) {
  real_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
  if (!real_ptrace) {
    fprintf(stderr, "xstate-shim: no ptrace in libc: %s\n", dlerror());
    abort();
  }
  loader_pid = getpid();
  const char *k = getenv("NLW_XSTATE_KEEP_BYTES");
  if (k && *k) {
    char *end;
    unsigned long v = strtoul(k, &end, 10);
    if (*end || v < MIN_KEEP || v % 8) {
      fprintf(stderr, "xstate-shim: NLW_XSTATE_KEEP_BYTES=%s: need a multiple of 8, >= %d\n", k,
              MIN_KEEP);
      abort();
    }
    keep_limit = v;
  }
}

// Only the process that loaded us reports: UML's forked helpers exit too.
__attribute__((destructor)) static void report(void) {
  const char *path = getenv("NLW_XSTATE_STATS");
  if (!path || !*path || getpid() != loader_pid) return;
  char line[256];
  int n = snprintf(line, sizeof line,
                   "host_xsave_bytes=%zu uml_bytes=%zu keep_bytes=%zu translated_get=%lu "
                   "translated_set=%lu passed_through=%lu shadows=%lu\n",
                   host_size, uml_size, keep_limit, n_get, n_set, n_pass, n_shadows);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) != n) {
    // Nothing to do: the runner reports a missing or short line.
  }
  close(fd);
}
