// Events: what a multicast socket receives, as records. Each event is an
// `event` record (the message type and flags, which say what happened)
// whose `object` is the changed object, parsed by the very parser that
// parses the same object in a dump, so an update decodes exactly as a
// listed object does.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "args.h"
#include "dump.h"
#include "registry.h"

namespace nlw {

// A subscription's own choice of events. `keep` runs natively on each
// message before any record is made, so what it drops never reaches JS;
// `bpf`, a classic BPF program for SO_ATTACH_FILTER, lets the kernel drop
// in the sender's context what surely does not match, before it is queued
// (no recv(), no receive-buffer space). It accepts a superset of what
// `keep` accepts: `keep` alone decides.
struct EventFilter {
  MessageFilter keep;
  std::vector<sock_filter> bpf;
};

// subscribe()'s arguments (lib/calls.ts): the multicast source and groups
// (a Uint32Array's bytes), SO_RCVBUF (0: the kernel's default;
// SO_RCVBUFFORCE when rcvbufForce), how many events may wait for JS, and
// for the netfilter and xfrm sources the family (0: all) and the
// ConntrackFilters (lib/conntrack-wire.ts) the events must match.
// clang-format off
#define SUBSCRIBE_ARGS(F)                                                      \
  F(source, Str, Req) F(groups, Bytes, Req) F(rcvbuf, U32, Req)               \
  F(rcvbufForce, Bool, Req) F(maxQueued, U32, Req) F(family, U8, Opt)         \
  F(filters, Bytes, Opt)
NLW_ARGS_STRUCT(SubscribeArgs, SUBSCRIBE_ARGS)
// clang-format on

// The messages of one netlink protocol that can arrive as events, and the
// parser of each message type.
struct EventSource {
  const char* name;  // "rtnetlink", ...
  int protocol;
  // The parser of a message type; null for types this source ignores.
  const Parser* (*parser_for)(uint16_t type);
  // The family header starts with the family byte (ifinfomsg, ifaddrmsg,
  // rtmsg, nfgenmsg): the event records it (a link's RTM_NEWLINK of family
  // AF_BRIDGE is a bridge port's news, not the link's).
  bool family_first;
  // Optional: what a subscription keeps of these events, decided from its
  // arguments (events_conntrack.cc: "family", "filters"). False with `why`
  // for arguments it cannot decode.
  bool (*filter)(const SubscribeArgs& args, EventFilter* out, std::string* why) = nullptr;
};

const EventSource* find_event_source(const std::string& name);

// Sources defined in their own files (events_conntrack.cc, events_xfrm.cc)
// register from a static initialiser.
struct RegisterEventSource {
  explicit RegisterEventSource(const EventSource& s);
};

// Appends the event of `m` to `out` (root schema: event); false when the
// message is not an event of `source` (nothing appended).
bool parse_event(const EventSource& source, const Message& m, RecordSet& out);

}  // namespace nlw
