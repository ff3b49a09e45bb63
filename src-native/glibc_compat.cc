// Built into prebuilds only (binding.gyp, NLWRAP_PORTABLE=1): what lets a
// binary linked on glibc 2.36 with a static libstdc++ load on glibc 2.28.
//
// - glibc 2.34 moved the pthread functions from libpthread into libc under a
//   new symbol version, so a link today asks for pthread_create@GLIBC_2.34.
//   The linker sends every call of those below (--wrap, libstdc++'s own
//   included) through __wrap_*, which call the version every glibc since the
//   architecture's first has (libpthread's before 2.34, libc's after). When
//   scripts/check-glibc-baseline.js names another such function, add its
//   wrapper here and its --wrap in binding.gyp.
// - libstdc++ reads __libc_single_threaded (glibc 2.32) to skip atomic
//   reference counts. Defined here, hidden, as 0 ("maybe threads"): the
//   counts are always atomic, which is what they were before 2.32.
#include <pthread.h>

#if defined(__x86_64__)
#define NLW_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define NLW_GLIBC_BASE "GLIBC_2.17"
#else
#error "glibc_compat.cc: no glibc base version known for this architecture"
#endif

#define NLW_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

NLW_HIDDEN char __libc_single_threaded = 0;

// Undefined here; .symver binds each to the base version of the real one.
int nlw_base_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int nlw_base_pthread_join(pthread_t, void**);
int nlw_base_pthread_detach(pthread_t);
__asm__(".symver nlw_base_pthread_create, pthread_create@" NLW_GLIBC_BASE);
__asm__(".symver nlw_base_pthread_join, pthread_join@" NLW_GLIBC_BASE);
__asm__(".symver nlw_base_pthread_detach, pthread_detach@" NLW_GLIBC_BASE);

NLW_HIDDEN int __wrap_pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                                     void* (*start)(void*), void* arg) {
  return nlw_base_pthread_create(thread, attr, start, arg);
}
NLW_HIDDEN int __wrap_pthread_join(pthread_t thread, void** result) {
  return nlw_base_pthread_join(thread, result);
}
NLW_HIDDEN int __wrap_pthread_detach(pthread_t thread) {
  return nlw_base_pthread_detach(thread);
}

}  // extern "C"
