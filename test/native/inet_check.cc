// Checks src-native/inet.cc against glibc's inet_ntop on edge cases and a
// million random addresses (with runs of zeros made likely). Built and run
// by test/unit/inet.test.ts; prints "ok N" or the first mismatch.
#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <random>

#include "../../src-native/inet.h"

int main() {
  std::mt19937_64 rng(12345);
  long checked = 0;
  auto check = [&](int family, const uint8_t* a) {
    char want[64], got[nlw::kMaxCidrLen];
    inet_ntop(family, a, want, sizeof want);
    size_t n = nlw::format_ip(family, a, family == AF_INET ? 4 : 16, got);
    got[n] = 0;
    checked++;
    if (std::strcmp(want, got) != 0) {
      std::printf("mismatch: inet_ntop %s, format_ip %s\n", want, got);
      return false;
    }
    return true;
  };
  uint8_t a[16];
  // Edge cases: all zero, all ones, loopback, mapped, compatible, single zeros.
  const char* edges[] = {"::",
                         "::1",
                         "::ffff:1.2.3.4",
                         "::1.2.3.4",
                         "1::",
                         "1:0:1:0:1:0:1:0",
                         "0:0:1::",
                         "2001:db8::",
                         "2001:db8:0:1:1:1:1:1",
                         "fe80::1:0:0:1",
                         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                         "::ffff:0:1",
                         "0:0:0:0:0:1:0:0"};
  for (const char* e : edges) {
    inet_pton(AF_INET6, e, a);
    if (!check(AF_INET6, a)) return 1;
  }
  for (int i = 0; i < 1000000; i++) {
    uint64_t r1 = rng(), r2 = rng();
    std::memcpy(a, &r1, 8);
    std::memcpy(a + 8, &r2, 8);
    uint64_t zmask = rng();  // zero each group with probability 1/2
    for (int g = 0; g < 8; g++)
      if (zmask & (1u << g)) a[2 * g] = a[2 * g + 1] = 0;
    if (!check(AF_INET6, a) || !check(AF_INET, a)) return 1;
  }
  std::printf("ok %ld\n", checked);
  return 0;
}
