// IP addresses as text, the way iproute2 prints them (RFC 5952 for IPv6).
// The family always comes from the message's own family field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nlw {

// "10.0.0.1" / "2001:db8::1"; "" when the bytes are too short for the family
// or the family is neither AF_INET nor AF_INET6.
std::string ip_string(int family, const uint8_t* p, size_t n);
// "10.0.0.0/24"; "" as above.
std::string cidr_string(int family, const uint8_t* p, size_t n, unsigned prefix);
// Address bytes for a family: 4 or 16, 0 otherwise.
size_t addr_len(int family);

}  // namespace nlw
