// Conntrack events (NETLINK_NETFILTER, groups NFNLGRP_CONNTRACK_*): what
// `conntrack -E` prints. ctnetlink sends IPCTNL_MSG_CT_NEW for a new flow
// (NLM_F_CREATE|NLM_F_EXCL) and for a changed one (no flags),
// IPCTNL_MSG_CT_DELETE for a destroyed one, and IPCTNL_MSG_EXP_NEW /
// IPCTNL_MSG_EXP_DELETE for expectations; each is parsed by the dump's own
// conntrack parser (parse_conntrack.cc), so an event's flow decodes as
// conntrackTableList's flows do. The kernel leaves out of an event what did
// not change (ctnetlink_conntrack_event): counters and timestamps except on
// destroy, a zero mark, labels unless they changed.
//
// A subscription's "family" and "filters" (the built-in ConntrackFilters,
// lib/conntrack-wire.ts) are matched here on each message before any
// record is made, and compiled into a socket filter (conntrack_bpf.h) so
// the kernel drops most non-matching events before they are queued.
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <memory>

#include "conntrack_bpf.h"
#include "conntrack_filter.h"
#include "events.h"

namespace nlw {
namespace {

const Parser* netfilter_parser(uint16_t type) {
  static const Parser* conntrack = find_parser("conntrack");
  const uint16_t subsys = type >> 8, msg = type & 0xff;
  if (subsys == NFNL_SUBSYS_CTNETLINK && (msg == IPCTNL_MSG_CT_NEW || msg == IPCTNL_MSG_CT_DELETE))
    return conntrack;
  if (subsys == NFNL_SUBSYS_CTNETLINK_EXP &&
      (msg == IPCTNL_MSG_EXP_NEW || msg == IPCTNL_MSG_EXP_DELETE))
    return conntrack;
  return nullptr;
}

// { family?, filters? }: the events of one family (0: all) matching any of
// the filters (absent: every event).
bool conntrack_filter(const SubscribeArgs& args, EventFilter* out, std::string* why) {
  const int family = args.family.value_or(0);
  std::shared_ptr<CtFilterSet> set;
  if (args.filters) {
    set = std::make_shared<CtFilterSet>();
    if (!decode_filters(args.filters->data(), args.filters->size(), set.get(), why)) return false;
  }
  if (family == 0 && !set) return true;
  out->keep = [family, set](const Message& m) {
    if (family != 0 && (m.payload_len() < 1 || m.payload()[0] != family)) return false;
    if (!set) return true;
    CtFlow f;
    // Not a flow: the parser decides (and reports malformed bytes).
    if (!read_ct_flow(m, &f) || *m.err()) return true;
    return set->match(f);
  };
  out->bpf = conntrack_event_bpf(family, set.get());
  return true;
}

const EventSource kNetfilter{"netfilter", NETLINK_NETFILTER, netfilter_parser, true,
                             conntrack_filter};
RegisterEventSource reg_source(kNetfilter);

// parse.conntrackEvents: the events of captured bytes, as a subscription
// makes them (tests, and the fuzzer).
void parse_conntrack_events(const Message& m, RecordSet& out) {
  parse_event(kNetfilter, m, out);
}
const Schema& event_root() {
  return *find_schema("event");
}
const Parser kEventsParser{"conntrackEvents", event_root, parse_conntrack_events};
Register reg_parser(kEventsParser);

const Schema& ct_flow_object() {
  return *find_schema("ct_flow");
}
struct RegisterObjects {
  RegisterObjects() {
    variant_registry().push_back({"event", "object", "ct_flow", ct_flow_object});
  }
} reg_objects;

Register reg_constants({
    NLW_CONST(NFNLGRP_CONNTRACK_NEW),
    NLW_CONST(NFNLGRP_CONNTRACK_UPDATE),
    NLW_CONST(NFNLGRP_CONNTRACK_DESTROY),
    NLW_CONST(NFNLGRP_CONNTRACK_EXP_NEW),
    NLW_CONST(NFNLGRP_CONNTRACK_EXP_UPDATE),
    NLW_CONST(NFNLGRP_CONNTRACK_EXP_DESTROY),
});

}  // namespace
}  // namespace nlw
