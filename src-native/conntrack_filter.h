// The built-in conntrack filters (ConntrackFilter in lib/conntrack-filter.ts)
// matched natively on flows (conntrack_flow.h).
//
// The filters cross from TypeScript as one Buffer, encoded by
// lib/conntrack-wire.ts and decoded here with every length checked
// (the wire format is described there). Matching follows vishvananda/netlink
// v1.3's ConntrackFilter.MatchConntrackFlow, with two deliberate
// differences: ports are read for every protocol that has them (SCTP, DCCP,
// UDPLite, not only TCP/UDP), and mark/status conditions exist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "conntrack_flow.h"

namespace nlw {

// One ConntrackFilter: every condition it has must hold.
struct CtFilter {
  struct Net {
    bool set = false;
    int family = 0;  // AF_INET / AF_INET6
    uint8_t addr[16] = {};
    unsigned prefix = 0;
  };
  Net ip[5];  // ConntrackOrigSrcIP .. ConntrackReplyAnyIP
  int proto = -1;
  int port[2] = {-1, -1};               // ConntrackOrigSrcPort, ConntrackOrigDstPort
  bool has_labels[2] = {false, false};  // Match, Unmatch
  std::vector<std::vector<uint8_t>> labels[2];
  int zone = -1;
  bool has_mark = false;
  uint32_t mark = 0, mark_mask = 0;
  bool has_status[2] = {false, false};  // all bits set, no bit set
  uint32_t status[2] = {0, 0};
  size_t conditions = 0;

  bool match(const CtFlow& f) const;
};

// Any filter matching is a match (ConntrackDeleteFilters' "...filters").
struct CtFilterSet {
  std::vector<CtFilter> filters;
  bool match(const CtFlow& f) const {
    for (const CtFilter& x : filters)
      if (x.match(f)) return true;
    return false;
  }
};

class Message;
// What the filters look at in a flow or expectation message (NEW or
// DELETE, parse_conntrack.cc); false for any other message. `labels` point
// into the message.
bool read_ct_flow(const Message& m, CtFlow* out);

// Decodes the Buffer from lib/conntrack-wire.ts. False with `why`
// when anything is out of bounds or unknown.
bool decode_filters(const uint8_t* p, size_t n, CtFilterSet* out, std::string* why);

}  // namespace nlw
