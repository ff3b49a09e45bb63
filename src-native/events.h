// Events: what a multicast socket receives, as records. Each event is an
// `event` record (the message type and flags, which say what happened)
// whose `object` is the changed object, parsed by the very parser that
// parses the same object in a dump, so an update decodes exactly as a
// listed object does.
#pragma once

#include <cstdint>
#include <string>

#include "registry.h"

namespace nlw {

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
};

const EventSource* find_event_source(const std::string& name);

// Appends the event of `m` to `out` (root schema: event); false when the
// message is not an event of `source` (nothing appended).
bool parse_event(const EventSource& source, const Message& m, RecordSet& out);

}  // namespace nlw
