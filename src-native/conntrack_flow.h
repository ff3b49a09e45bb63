// A conntrack flow (or expectation) as matching, identities and deletes see
// it: the fields they need, read by parse_conntrack.cc from a CT_NEW /
// EXP_NEW message, or decoded from an identity (conntrack_identity.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nlw {

// One direction of a flow (CTA_TUPLE_ORIG / CTA_TUPLE_REPLY, or an
// expectation's CTA_EXPECT_MASTER / CTA_EXPECT_TUPLE / CTA_EXPECT_MASK).
struct CtTuple {
  bool has_src = false, has_dst = false;
  uint8_t src[16] = {}, dst[16] = {};
  int proto = -1;  // CTA_PROTO_NUM, -1 absent
  bool has_sport = false, has_dport = false;
  uint16_t sport = 0, dport = 0;  // host order
  bool has_icmp_id = false, has_icmp_type = false, has_icmp_code = false;
  uint16_t icmp_id = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  int zone = -1;  // CTA_TUPLE_ZONE (directional zones), -1 absent
};

// What matching and deleting need to know about one flow or expectation.
struct CtFlow {
  int table = 1;  // 1 conntrack, 2 expectation (from the message type)
  uint8_t family = 0;
  CtTuple orig, reply;  // expectations: master tuple, expected tuple
  bool has_mark = false;
  uint32_t mark = 0;
  bool has_zone = false;
  uint16_t zone = 0;
  bool has_status = false;
  uint32_t status = 0;
  const uint8_t* labels = nullptr;  // CTA_LABELS payload, or null
  size_t labels_len = 0;
  bool has_id = false;
  uint32_t id = 0;
};

}  // namespace nlw
