// XFRM events (NETLINK_XFRM, groups XFRMNLGRP_SA, _POLICY, _EXPIRE,
// _ACQUIRE), as net/xfrm/xfrm_user.c sends them:
//   XFRM_MSG_NEWSA / UPDSA      struct xfrm_usersa_info + the SA's attributes
//   XFRM_MSG_DELSA              struct xfrm_usersa_id, then XFRMA_SA holding
//                               the xfrm_usersa_info, then the attributes
//   XFRM_MSG_NEWPOLICY / UPD…   struct xfrm_userpolicy_info + attributes
//   XFRM_MSG_DELPOLICY          struct xfrm_userpolicy_id, then XFRMA_POLICY
//                               holding the xfrm_userpolicy_info, then the rest
//   XFRM_MSG_EXPIRE             struct xfrm_user_expire (the SA, hard) + mark,
//                               if_id (soft: the SA is dying; hard: it is gone)
//   XFRM_MSG_POLEXPIRE          struct xfrm_user_polexpire (the policy, hard)
//   XFRM_MSG_ACQUIRE            struct xfrm_user_acquire: the SA the kernel
//                               wants (id, saddr, selector) and the policy
//                               that wants it, with its templates
//   XFRM_MSG_FLUSHSA / FLUSHPOLICY  struct xfrm_usersa_flush / an
//                               XFRMA_POLICY_TYPE: everything of a kind went
// The SAs and policies are parsed by parse_xfrm.cc's own code, so they
// decode as xfrmStateList / xfrmPolicyList's (keys are hidden by the facade).
#include <arpa/inet.h>
#include <linux/ipsec.h>
#include <linux/xfrm.h>

#include <cstring>

#include "events.h"
#include "inet.h"
#include "parse_xfrm.h"

namespace nlw {
namespace {

// clang-format off
#define XFRM_EXPIRE_FIELDS(F) F(state, Obj, "xfrm_state") F(hard, Bool, "")
NLW_SCHEMA(xfrm_expire, XFRM_EXPIRE_FIELDS)

#define XFRM_POLEXPIRE_FIELDS(F) F(policy, Obj, "xfrm_policy") F(hard, Bool, "")
NLW_SCHEMA(xfrm_polexpire, XFRM_POLEXPIRE_FIELDS)

// The SA wanted: its id (destination, SPI 0, protocol), source and family
// (the template's), the traffic selector, the algorithms the template
// allows, the sequence number to answer with, and the policy.
#define XFRM_ACQUIRE_FIELDS(F)                                                \
  F(family, Num, "") F(dst, Str, "") F(src, Str, "") F(proto, Num, "")       \
  F(spi, Num, "") F(seq, Num, "") F(aalgos, Num, "") F(ealgos, Num, "")      \
  F(calgos, Num, "") F(selector, Obj, "xfrm_selector") F(policy, Obj, "xfrm_policy")
NLW_SCHEMA(xfrm_acquire, XFRM_ACQUIRE_FIELDS)

// FLUSHSA: the protocol flushed (0 or IPSEC_PROTO_ANY: all); FLUSHPOLICY:
// the policy type (XFRM_POLICY_TYPE_MAIN / _SUB).
#define XFRM_FLUSH_FIELDS(F) F(proto, Num, "") F(policyType, Num, "")
NLW_SCHEMA(xfrm_flush, XFRM_FLUSH_FIELDS)
// clang-format on

// The struct inside attribute `type` of `m`'s attributes after `hdr` bytes.
template <class T>
bool nested_struct(const Message& m, size_t hdr, uint16_t type, T* out) {
  for (const Attr& a : m.attrs(hdr))
    if (a.type() == type) return a.get(out);
  m.err()->fail("XFRM delete event without the deleted object's attribute");
  return false;
}

void parse_sa(const Message& m, RecordSet& out) {
  if (m.type() == XFRM_MSG_DELSA) {
    xfrm_usersa_id id;
    xfrm_usersa_info p;
    if (!m.header(&id) || !nested_struct(m, sizeof id, XFRMA_SA, &p)) return;
    emit_xfrm_state(p, m.attrs(sizeof id), out);
    return;
  }
  xfrm_usersa_info p;
  if (m.header(&p)) emit_xfrm_state(p, m.attrs(sizeof p), out);
}

void parse_policy(const Message& m, RecordSet& out) {
  if (m.type() == XFRM_MSG_DELPOLICY) {
    xfrm_userpolicy_id id;
    xfrm_userpolicy_info p;
    if (!m.header(&id) || !nested_struct(m, sizeof id, XFRMA_POLICY, &p)) return;
    emit_xfrm_policy(p, m.attrs(sizeof id), out);
    return;
  }
  xfrm_userpolicy_info p;
  if (m.header(&p)) emit_xfrm_policy(p, m.attrs(sizeof p), out);
}

void parse_expire(const Message& m, RecordSet& out) {
  xfrm_user_expire ue;
  if (!m.header(&ue)) return;
  size_t state = emit_xfrm_state(ue.state, m.attrs(sizeof ue), out);
  Rec r = out.add(xfrm_expire_schema());
  r.obj(xfrm_expire_f::state, state);
  r.boolean(xfrm_expire_f::hard, ue.hard != 0);
}

void parse_polexpire(const Message& m, RecordSet& out) {
  xfrm_user_polexpire ue;
  if (!m.header(&ue)) return;
  size_t policy = emit_xfrm_policy(ue.pol, m.attrs(sizeof ue), out);
  Rec r = out.add(xfrm_polexpire_schema());
  r.obj(xfrm_polexpire_f::policy, policy);
  r.boolean(xfrm_polexpire_f::hard, ue.hard != 0);
}

// xfrm_id has no family: the wanted SA's is its template's (encap_family),
// the first template of the SA's protocol; else the selector's.
int acquire_family(const Message& m, const xfrm_user_acquire& ua) {
  for (const Attr& a : m.attrs(sizeof ua)) {
    if (a.type() != XFRMA_TMPL) continue;
    for (size_t off = 0; off + sizeof(xfrm_user_tmpl) <= a.len(); off += sizeof(xfrm_user_tmpl)) {
      xfrm_user_tmpl t;
      std::memcpy(&t, a.data() + off, sizeof t);
      if (t.id.proto == ua.id.proto && t.family != AF_UNSPEC) return t.family;
    }
  }
  return ua.sel.family != AF_UNSPEC ? ua.sel.family : ua.policy.sel.family;
}

void parse_acquire(const Message& m, RecordSet& out) {
  xfrm_user_acquire ua;
  if (!m.header(&ua)) return;
  const int family = acquire_family(m, ua);
  size_t policy = emit_xfrm_policy(ua.policy, m.attrs(sizeof ua), out);
  size_t selector = emit_xfrm_selector(ua.sel, family, out);
  Rec r = out.add(xfrm_acquire_schema());
  namespace f = xfrm_acquire_f;
  r.num(f::family, family);
  char buf[kMaxCidrLen];
  size_t n =
      format_ip(family, reinterpret_cast<const uint8_t*>(&ua.id.daddr), sizeof ua.id.daddr, buf);
  if (n) r.str(f::dst, std::string_view(buf, n));
  n = format_ip(family, reinterpret_cast<const uint8_t*>(&ua.saddr), sizeof ua.saddr, buf);
  if (n) r.str(f::src, std::string_view(buf, n));
  r.num(f::proto, ua.id.proto);
  r.num(f::spi, ntohl(ua.id.spi));
  r.num(f::seq, ua.seq);
  r.num(f::aalgos, ua.aalgos);
  r.num(f::ealgos, ua.ealgos);
  r.num(f::calgos, ua.calgos);
  r.obj(f::selector, selector);
  r.obj(f::policy, policy);
}

void parse_flush(const Message& m, RecordSet& out) {
  if (m.type() == XFRM_MSG_FLUSHSA) {
    xfrm_usersa_flush fl;
    if (!m.header(&fl)) return;
    out.add(xfrm_flush_schema()).num(xfrm_flush_f::proto, fl.proto);
    return;
  }
  Rec r = out.add(xfrm_flush_schema());
  for (const Attr& a : m.attrs(0)) {
    xfrm_userpolicy_type t;
    if (a.type() == XFRMA_POLICY_TYPE && a.get(&t)) r.num(xfrm_flush_f::policyType, t.type);
  }
}

// Never registered as parse.<name>: the event parser below reaches them.
const Schema& state_root() {
  return *find_schema("xfrm_state");
}
const Schema& policy_root() {
  return *find_schema("xfrm_policy");
}
const Parser kSa{"xfrmSaEvent", state_root, parse_sa};
const Parser kPolicy{"xfrmPolicyEvent", policy_root, parse_policy};
const Parser kExpire{"xfrmExpire", xfrm_expire_schema, parse_expire};
const Parser kPolexpire{"xfrmPolexpire", xfrm_polexpire_schema, parse_polexpire};
const Parser kAcquire{"xfrmAcquire", xfrm_acquire_schema, parse_acquire};
const Parser kFlush{"xfrmFlush", xfrm_flush_schema, parse_flush};

const Parser* xfrm_parser(uint16_t type) {
  switch (type) {
    case XFRM_MSG_NEWSA:
    case XFRM_MSG_UPDSA:
    case XFRM_MSG_DELSA: return &kSa;
    case XFRM_MSG_NEWPOLICY:
    case XFRM_MSG_UPDPOLICY:
    case XFRM_MSG_DELPOLICY: return &kPolicy;
    case XFRM_MSG_EXPIRE: return &kExpire;
    case XFRM_MSG_POLEXPIRE: return &kPolexpire;
    case XFRM_MSG_ACQUIRE: return &kAcquire;
    case XFRM_MSG_FLUSHSA:
    case XFRM_MSG_FLUSHPOLICY: return &kFlush;
    default: return nullptr;
  }
}

// The family an event is about (the SA's, the policy selector's, the
// acquired SA's), as the list calls' family filters read it; -1 when it
// has none (a flush) or cannot be read (the parser then reports it).
int event_family(const Message& m) {
  const size_t n = m.payload_len();
  auto head = [&](auto* h) {
    if (n < sizeof *h) return false;
    std::memcpy(h, m.payload(), sizeof *h);
    return true;
  };
  switch (m.type()) {
    case XFRM_MSG_NEWSA:
    case XFRM_MSG_UPDSA: {
      xfrm_usersa_info p;
      return head(&p) ? p.family : -1;
    }
    case XFRM_MSG_DELSA: {
      xfrm_usersa_id id;
      return head(&id) ? id.family : -1;
    }
    case XFRM_MSG_NEWPOLICY:
    case XFRM_MSG_UPDPOLICY: {
      xfrm_userpolicy_info p;
      return head(&p) ? p.sel.family : -1;
    }
    case XFRM_MSG_DELPOLICY: {
      for (const Attr& a : m.attrs(sizeof(xfrm_userpolicy_id))) {
        xfrm_userpolicy_info p;
        if (a.type() == XFRMA_POLICY && a.len() >= sizeof p) {
          std::memcpy(&p, a.data(), sizeof p);
          return p.sel.family;
        }
      }
      return -1;
    }
    case XFRM_MSG_EXPIRE: {
      xfrm_user_expire ue;
      return head(&ue) ? ue.state.family : -1;
    }
    case XFRM_MSG_POLEXPIRE: {
      xfrm_user_polexpire ue;
      return head(&ue) ? ue.pol.sel.family : -1;
    }
    case XFRM_MSG_ACQUIRE: {
      xfrm_user_acquire ua;
      return head(&ua) ? acquire_family(m, ua) : -1;
    }
    default: return -1;
  }
}

// { family? }: only the events about objects of that family (flushes too).
bool xfrm_filter(const SubscribeArgs& args, EventFilter* out, std::string*) {
  const int family = args.family.value_or(0);
  if (family == 0) return true;
  out->keep = [family](const Message& m) {
    int f = event_family(m);
    return f < 0 || f == family;
  };
  return true;
}

const EventSource kXfrm{"xfrm", NETLINK_XFRM, xfrm_parser, false, xfrm_filter};
RegisterEventSource reg_source(kXfrm);

// parse.xfrmEvents: the events of captured bytes, as a subscription makes
// them (tests, and the fuzzer).
void parse_xfrm_events(const Message& m, RecordSet& out) {
  parse_event(kXfrm, m, out);
}
const Schema& event_root() {
  return *find_schema("event");
}
const Parser kEventsParser{"xfrmEvents", event_root, parse_xfrm_events};
Register reg_parser(kEventsParser);

struct RegisterObjects {
  RegisterObjects() {
    auto& v = variant_registry();
    v.push_back({"event", "object", "xfrm_policy", policy_root});
    v.push_back({"event", "object", "xfrm_state", state_root});
    v.push_back({"event", "object", "xfrm_expire", xfrm_expire_schema});
    v.push_back({"event", "object", "xfrm_polexpire", xfrm_polexpire_schema});
    v.push_back({"event", "object", "xfrm_acquire", xfrm_acquire_schema});
    v.push_back({"event", "object", "xfrm_flush", xfrm_flush_schema});
  }
} reg_objects;

Register reg_constants({
    NLW_CONST(XFRM_MSG_NEWSA),
    NLW_CONST(XFRM_MSG_DELSA),
    NLW_CONST(XFRM_MSG_UPDSA),
    NLW_CONST(XFRM_MSG_NEWPOLICY),
    NLW_CONST(XFRM_MSG_DELPOLICY),
    NLW_CONST(XFRM_MSG_UPDPOLICY),
    NLW_CONST(XFRM_MSG_EXPIRE),
    NLW_CONST(XFRM_MSG_POLEXPIRE),
    NLW_CONST(XFRM_MSG_ACQUIRE),
    NLW_CONST(XFRM_MSG_FLUSHSA),
    NLW_CONST(XFRM_MSG_FLUSHPOLICY),
    NLW_CONST(XFRMNLGRP_ACQUIRE),
    NLW_CONST(XFRMNLGRP_EXPIRE),
    NLW_CONST(XFRMNLGRP_SA),
    NLW_CONST(XFRMNLGRP_POLICY),
    NLW_CONST(IPSEC_PROTO_ANY),
});

}  // namespace
}  // namespace nlw
