// Force-included (-include) into every C++ file of a prebuild (binding.gyp,
// NLWRAP_PORTABLE=1), so the binary needs nothing newer than glibc 2.28.
//
// GCC 12's <condition_variable> (and <mutex>, <shared_mutex>) wait on a
// steady clock with pthread_cond_clockwait / pthread_*_clocklock when the
// glibc the compiler was built on had them (2.30, 2.34). Unset, libstdc++
// falls back to its pre-GCC-10 code: a timed wait on the system clock, with
// the steady clock re-checked after each wake-up.
#pragma once

#include <bits/c++config.h>

#undef _GLIBCXX_USE_PTHREAD_COND_CLOCKWAIT
#undef _GLIBCXX_USE_PTHREAD_MUTEX_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_CLOCKLOCK
