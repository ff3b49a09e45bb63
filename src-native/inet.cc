// IP address formatting (see inet.h). Hand-written rather than inet_ntop:
// glibc formats each group with sprintf, which dominated profiles of dumps
// with 100 000 routes. The output is exactly inet_ntop's (and so iproute2's):
// IPv6 per RFC 5952 as glibc does it — lower case, the longest run of two or
// more zero groups (the first on a tie) compressed, and ::ffff:a.b.c.d /
// ::a.b.c.d for IPv4-mapped and -compatible addresses. test/inet.test.ts
// checks it against inet_ntop on random and edge-case addresses.
#include "inet.h"

#include <sys/socket.h>

namespace nlw {

namespace {
char* put_dec(char* p, unsigned v) {
  if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
  if (v >= 10) *p++ = static_cast<char>('0' + (v / 10) % 10);
  *p++ = static_cast<char>('0' + v % 10);
  return p;
}

char* put_v4(char* p, const uint8_t* a) {
  for (int i = 0; i < 4; i++) {
    if (i) *p++ = '.';
    p = put_dec(p, a[i]);
  }
  return p;
}

char* put_hex(char* p, unsigned v) {
  static const char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 15;
    if (d || started || shift == 0) {
      *p++ = kHex[d];
      started = true;
    }
  }
  return p;
}

char* put_v6(char* p, const uint8_t* a) {
  unsigned w[8];
  for (int i = 0; i < 8; i++) w[i] = (a[2 * i] << 8) | a[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      i++;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) j++;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  for (int i = 0; i < 8; i++) {
    if (best != -1 && i >= best && i < best + best_len) {
      if (i == best) *p++ = ':';
      continue;
    }
    if (i) *p++ = ':';
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
      return put_v4(p, a + 12);
    p = put_hex(p, w[i]);
  }
  if (best != -1 && best + best_len == 8) *p++ = ':';
  return p;
}
}  // namespace

size_t addr_len(int family) {
  return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

size_t format_ip(int family, const uint8_t* p, size_t n, char* out) {
  size_t need = addr_len(family);
  if (need == 0 || n < need) return 0;
  char* end = family == AF_INET ? put_v4(out, p) : put_v6(out, p);
  return static_cast<size_t>(end - out);
}

size_t format_cidr(int family, const uint8_t* p, size_t n, unsigned prefix, char* out) {
  size_t len = format_ip(family, p, n, out);
  if (len == 0) return 0;
  out[len++] = '/';
  return static_cast<size_t>(put_dec(out + len, prefix) - out);
}

std::string ip_string(int family, const uint8_t* p, size_t n) {
  char buf[kMaxCidrLen];
  return std::string(buf, format_ip(family, p, n, buf));
}

std::string cidr_string(int family, const uint8_t* p, size_t n, unsigned prefix) {
  char buf[kMaxCidrLen];
  return std::string(buf, format_cidr(family, p, n, prefix, buf));
}

}  // namespace nlw
