// IP addresses as text, the way iproute2 prints them (RFC 5952 for IPv6).
// The family always comes from the message's own family field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nlw {

// Room for the longest address with a prefix: "ffff:...:255.255.255.255/128".
constexpr size_t kMaxCidrLen = 64;

// Writes "10.0.0.1" / "2001:db8::1" to `out` (kMaxCidrLen bytes) and returns
// its length; 0 when the bytes are too short for the family or the family is
// neither AF_INET nor AF_INET6. No allocation: for the hot paths.
size_t format_ip(int family, const uint8_t* p, size_t n, char* out);
// The same with "/prefix" appended.
size_t format_cidr(int family, const uint8_t* p, size_t n, unsigned prefix, char* out);

// Convenience forms; "" where format_* returns 0.
std::string ip_string(int family, const uint8_t* p, size_t n);
std::string cidr_string(int family, const uint8_t* p, size_t n, unsigned prefix);

// Address bytes for a family: 4 or 16, 0 otherwise.
size_t addr_len(int family);

}  // namespace nlw
