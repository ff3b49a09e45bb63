// See events.h.
#include "events.h"

#include <linux/rtnetlink.h>

namespace nlw {
namespace {

// In the anonymous namespace, as every schema: an inline function of
// external linkage with a static inside would be an STB_GNU_UNIQUE symbol,
// and glibc never unloads a library that defines one.
// clang-format off
#define EVENT_FIELDS(F) \
  F(msgType, Num, "") F(flags, Num, "") F(family, Num, "") F(object, VariantObj, "")
NLW_SCHEMA(event, EVENT_FIELDS)
// clang-format on

// rtnetlink: links, addresses and routes; NEW and DEL carry the same layout.
const Parser* rtnetlink_parser(uint16_t type) {
  static const Parser* links = find_parser("links");
  static const Parser* addrs = find_parser("addrs");
  static const Parser* routes = find_parser("routes");
  switch (type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: return links;
    case RTM_NEWADDR:
    case RTM_DELADDR: return addrs;
    case RTM_NEWROUTE:
    case RTM_DELROUTE: return routes;
    default: return nullptr;
  }
}

const EventSource kSources[] = {
    {"rtnetlink", NETLINK_ROUTE, rtnetlink_parser, true},
};

std::vector<const EventSource*>& registered_sources() {
  static std::vector<const EventSource*> all;
  return all;
}

// The objects an event can carry, for the decoders generated from the
// schemas (lib/generated/): one decoder per object schema.
const Schema& link_object() {
  return *find_schema("link");
}
const Schema& addr_object() {
  return *find_schema("addr");
}
const Schema& route_object() {
  return *find_schema("route");
}
struct RegisterObjects {
  RegisterObjects() {
    variant_registry().push_back({"event", "object", "link", link_object});
    variant_registry().push_back({"event", "object", "addr", addr_object});
    variant_registry().push_back({"event", "object", "route", route_object});
  }
} reg_objects;

Register reg_constants({
    NLW_CONST(RTM_NEWLINK),
    NLW_CONST(RTM_DELLINK),
    NLW_CONST(RTM_NEWADDR),
    NLW_CONST(RTM_DELADDR),
    NLW_CONST(RTM_NEWROUTE),
    NLW_CONST(RTM_DELROUTE),
    NLW_CONST(RTNLGRP_LINK),
    NLW_CONST(RTNLGRP_IPV4_IFADDR),
    NLW_CONST(RTNLGRP_IPV6_IFADDR),
    NLW_CONST(RTNLGRP_IPV4_ROUTE),
    NLW_CONST(RTNLGRP_IPV6_ROUTE),
    NLW_CONST(NLM_F_CREATE),
    NLW_CONST(NLM_F_EXCL),
    NLW_CONST(NLM_F_REPLACE),
    NLW_CONST(NLM_F_APPEND),
});

}  // namespace

NLW_ARGS_SPEC(SubscribeArgs, SUBSCRIBE_ARGS)

const EventSource* find_event_source(const std::string& name) {
  for (const EventSource& s : kSources)
    if (name == s.name) return &s;
  for (const EventSource* s : registered_sources())
    if (name == s->name) return s;
  return nullptr;
}

RegisterEventSource::RegisterEventSource(const EventSource& s) {
  registered_sources().push_back(&s);
}

bool parse_event(const EventSource& source, const Message& m, RecordSet& out) {
  const Parser* p = source.parser_for(m.type());
  if (p == nullptr) return false;
  const Schema& object = p->root();
  const size_t before = out.count(object);
  p->parse(m, out);
  if (out.count(object) == before) return false;  // not an object this parser keeps
  Rec e = out.add(event_schema());
  e.num(event_f::msgType, m.type());
  e.num(event_f::flags, m.hdr().nlmsg_flags);
  if (source.family_first && m.payload_len() > 0) e.num(event_f::family, m.payload()[0]);
  e.variant(event_f::object, object, before);
  return true;
}

}  // namespace nlw
