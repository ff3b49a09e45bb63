// The identity of a conntrack flow: what a delete names (its original tuple,
// or an expectation's expected tuple, with a directional tuple zone if any),
// its CTA_ZONE and its CTA_ID, as 52 bytes in lib/conntrack-wire.ts's
// layout (host byte order):
//   0 u8 family  1 u8 proto  2 u16 presence flags
//   4 u16 sport  6 u16 dport  8 u16 icmp id  10 u8 icmp type  11 u8 icmp code
//   12 u16 tuple zone  14 u16 zone  16 u32 id  20 16B src  36 16B dst
// ct.matchIdentities hands them to JS, ct.deleteExact takes them back;
// two flows are the same flow when their identities are equal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "conntrack_flow.h"

namespace nlw {

constexpr size_t kCtIdentitySize = 52;

// Writes f's identity to out[0..kCtIdentitySize).
void encode_identity(const CtFlow& f, uint8_t* out);

// Reads an identity into *f, whose `table` says which tuple it names. False
// with `why` for a family other than IPv4 / IPv6.
bool decode_identity(const uint8_t* in, CtFlow* f, std::string* why);

}  // namespace nlw
