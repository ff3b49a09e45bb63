// IP address formatting (see inet.h).
#include "inet.h"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace nlw {

size_t addr_len(int family) {
  return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

std::string ip_string(int family, const uint8_t* p, size_t n) {
  size_t need = addr_len(family);
  if (need == 0 || n < need) return std::string();
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, p, buf, sizeof buf)) return std::string();
  return buf;
}

std::string cidr_string(int family, const uint8_t* p, size_t n, unsigned prefix) {
  std::string s = ip_string(family, p, n);
  if (s.empty()) return s;
  s += '/';
  s += std::to_string(prefix);
  return s;
}

}  // namespace nlw
