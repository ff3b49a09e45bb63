// XFRM: policies (XFRM_MSG_NEWPOLICY: struct xfrm_userpolicy_info +
// XFRMA_*) and states (XFRM_MSG_NEWSA: struct xfrm_usersa_info + XFRMA_*),
// and the xfrm.policy.dump / xfrm.state.dump requests.
//
// Field names follow vishvananda/netlink v1.3 (XfrmPolicy, XfrmState,
// XfrmPolicyTmpl, XfrmStateAlgo, ...) in lowerCamelCase. Every enumerated
// value is the kernel's number. Addresses: each struct's own family field
// decides IPv4 vs IPv6 (the selector's, the SA's, the template's), never the
// bytes; vishvananda guesses from trailing zeros and misreads 2001:db8::.
// A selector with family AF_UNSPEC (an SA added without `sel`, or a larval
// allocspi SA) is read with the SA's family, as the kernel does when it picks
// the inner mode and as iproute2 prints it. Ports and SPIs are big-endian on
// the wire. Key material is copied as raw bytes; the facade hides it from
// enumeration (lib/xfrm.ts) and no error message here ever contains it.
#include "parse_xfrm.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "dump.h"
#include "inet.h"
#include "registry.h"
#include "request.h"

namespace nlw {
namespace {

// XFRMA_* newer than the uapi headers this is built against (Debian 12: 6.1).
constexpr uint16_t kXfrmaSaDir = 33;   // __u8, 6.10
constexpr uint16_t kXfrmaSaPcpu = 35;  // __u32, 6.13

// clang-format off
#define XFRM_MARK_FIELDS(F) F(value, Num, "") F(mask, Num, "")
NLW_SCHEMA(xfrm_mark, XFRM_MARK_FIELDS)
// clang-format on

// XfrmStateLimits; also a policy's configured lifetime. XFRM_INF = 2^64-1.
// clang-format off
#define XFRM_LIMITS_FIELDS(F)                                                 \
  F(byteSoft, BigInt, "") F(byteHard, BigInt, "") F(packetSoft, BigInt, "")  \
  F(packetHard, BigInt, "") F(timeSoft, BigInt, "") F(timeHard, BigInt, "")  \
  F(timeUseSoft, BigInt, "") F(timeUseHard, BigInt, "")
NLW_SCHEMA(xfrm_limits, XFRM_LIMITS_FIELDS)
// clang-format on

// XfrmStateStats: current lifetime + replay counters.
// clang-format off
#define XFRM_STATE_STATS_FIELDS(F)                                           \
  F(replayWindow, Num, "") F(replay, Num, "") F(failed, Num, "")            \
  F(bytes, BigInt, "") F(packets, BigInt, "") F(addTime, BigInt, "")        \
  F(useTime, BigInt, "")
NLW_SCHEMA(xfrm_state_stats, XFRM_STATE_STATS_FIELDS)
// clang-format on

// A policy's current lifetime (no replay counters).
// clang-format off
#define XFRM_POLICY_STATS_FIELDS(F) \
  F(bytes, BigInt, "") F(packets, BigInt, "") F(addTime, BigInt, "") F(useTime, BigInt, "")
NLW_SCHEMA(xfrm_policy_stats, XFRM_POLICY_STATS_FIELDS)
// clang-format on

// A state's selector (vishvananda: XfrmState.Selector, an *XfrmPolicy).
// clang-format off
#define XFRM_SELECTOR_FIELDS(F)                                              \
  F(family, Num, "") F(dst, Str, "") F(src, Str, "") F(proto, Num, "")      \
  F(dstPort, Num, "") F(srcPort, Num, "") F(ifindex, Num, "") F(user, Num, "")
NLW_SCHEMA(xfrm_selector, XFRM_SELECTOR_FIELDS)
// clang-format on

// clang-format off
#define XFRM_TMPL_FIELDS(F)                                                   \
  F(family, Num, "") F(dst, Str, "") F(src, Str, "") F(proto, Num, "")       \
  F(mode, Num, "") F(spi, Num, "") F(reqid, Num, "") F(optional, Num, "")    \
  F(share, Num, "") F(aalgos, Num, "") F(ealgos, Num, "") F(calgos, Num, "")
NLW_SCHEMA(xfrm_tmpl, XFRM_TMPL_FIELDS)
// clang-format on

// clang-format off
#define XFRM_POLICY_FIELDS(F)                                                  \
  F(family, Num, "") F(dst, Str, "") F(src, Str, "") F(proto, Num, "")        \
  F(dstPort, Num, "") F(srcPort, Num, "") F(ifindex, Num, "") F(dir, Num, "") \
  F(priority, Num, "") F(index, Num, "") F(action, Num, "") F(flags, Num, "") \
  F(share, Num, "") F(ifid, Num, "") F(mark, Obj, "xfrm_mark")                \
  F(tmpls, List, "xfrm_tmpl") F(limits, Obj, "xfrm_limits")                   \
  F(statistics, Obj, "xfrm_policy_stats") F(policyType, Num, "")
NLW_SCHEMA(xfrm_policy, XFRM_POLICY_FIELDS)
// clang-format on

// XfrmStateAlgo: auth, crypt, aead, comp.
// clang-format off
#define XFRM_ALGO_FIELDS(F) \
  F(name, Str, "") F(key, Bytes, "") F(truncateLen, Num, "") F(icvLen, Num, "")
NLW_SCHEMA(xfrm_algo, XFRM_ALGO_FIELDS)
// clang-format on

// clang-format off
#define XFRM_ENCAP_FIELDS(F) \
  F(type, Num, "") F(srcPort, Num, "") F(dstPort, Num, "") F(originalAddress, Str, "")
NLW_SCHEMA(xfrm_encap, XFRM_ENCAP_FIELDS)
// clang-format on

// XFRMA_REPLAY_VAL (vishvananda: XfrmReplayState).
// clang-format off
#define XFRM_REPLAY_FIELDS(F) F(oSeq, Num, "") F(seq, Num, "") F(bitMap, Num, "")
NLW_SCHEMA(xfrm_replay, XFRM_REPLAY_FIELDS)
// clang-format on

// XFRMA_REPLAY_ESN_VAL: sent instead of REPLAY_VAL with ESN or a replay
// window > 32. bmp: bmpLen 32-bit words in host byte order.
// clang-format off
#define XFRM_REPLAY_ESN_FIELDS(F)                                            \
  F(bmpLen, Num, "") F(oSeq, Num, "") F(seq, Num, "") F(oSeqHi, Num, "")    \
  F(seqHi, Num, "") F(replayWindow, Num, "") F(bmp, Bytes, "")
NLW_SCHEMA(xfrm_replay_esn, XFRM_REPLAY_ESN_FIELDS)
// clang-format on

// clang-format off
#define XFRM_STATE_FIELDS(F)                                                   \
  F(family, Num, "") F(dst, Str, "") F(src, Str, "") F(proto, Num, "")        \
  F(mode, Num, "") F(spi, Num, "") F(reqid, Num, "") F(replayWindow, Num, "") \
  F(flags, Num, "") F(limits, Obj, "xfrm_limits")                             \
  F(statistics, Obj, "xfrm_state_stats") F(selector, Obj, "xfrm_selector")    \
  F(mark, Obj, "xfrm_mark") F(outputMark, Obj, "xfrm_mark") F(saDir, Num, "") \
  F(ifid, Num, "") F(pcpunum, Num, "") F(auth, Obj, "xfrm_algo")              \
  F(crypt, Obj, "xfrm_algo") F(aead, Obj, "xfrm_algo") F(comp, Obj, "xfrm_algo") \
  F(encap, Obj, "xfrm_encap") F(esn, Bool, "") F(dontEncapDscp, Bool, "")     \
  F(oSeqMayWrap, Bool, "") F(extraFlags, Num, "") F(replay, Obj, "xfrm_replay") \
  F(replayEsn, Obj, "xfrm_replay_esn") F(tfcpad, Num, "")
NLW_SCHEMA(xfrm_state, XFRM_STATE_FIELDS)
// clang-format on

// SA and template addresses repeat (tunnel endpoints): interned.
void put_addr(Rec& r, uint16_t f, int family, const xfrm_address_t& a) {
  char buf[kMaxCidrLen];
  size_t n = format_ip(family, reinterpret_cast<const uint8_t*>(&a), sizeof a, buf);
  if (n) r.str(f, std::string_view(buf, n));
}

// Selector prefixes are nearly all distinct: appended, not interned.
void put_cidr(Rec& r, uint16_t f, int family, const xfrm_address_t& a, unsigned plen) {
  char buf[kMaxCidrLen];
  size_t n = format_cidr(family, reinterpret_cast<const uint8_t*>(&a), sizeof a, plen, buf);
  if (n) r.str_unique(f, std::string_view(buf, n));
}

size_t add_limits(RecordSet& out, const xfrm_lifetime_cfg& l) {
  Rec r = out.add(xfrm_limits_schema());
  namespace f = xfrm_limits_f;
  r.big(f::byteSoft, l.soft_byte_limit);
  r.big(f::byteHard, l.hard_byte_limit);
  r.big(f::packetSoft, l.soft_packet_limit);
  r.big(f::packetHard, l.hard_packet_limit);
  r.big(f::timeSoft, l.soft_add_expires_seconds);
  r.big(f::timeHard, l.hard_add_expires_seconds);
  r.big(f::timeUseSoft, l.soft_use_expires_seconds);
  r.big(f::timeUseHard, l.hard_use_expires_seconds);
  return r.index();
}

size_t add_mark(RecordSet& out, uint32_t value, uint32_t mask) {
  Rec r = out.add(xfrm_mark_schema());
  r.num(xfrm_mark_f::value, value);
  r.num(xfrm_mark_f::mask, mask);
  return r.index();
}

// An xfrm_algo / xfrm_algo_auth / xfrm_algo_aead: `Head` is the fixed part;
// alg_key_len is in bits and the key follows the head.
template <class Head>
bool read_algo(const Attr& a, Head* h, const uint8_t** key, size_t* key_len) {
  if (!a.get(h)) return false;
  size_t n = (static_cast<size_t>(h->alg_key_len) + 7) / 8;
  if (n > a.len() - sizeof(Head)) {
    a.err()->fail("XFRM algorithm key longer than its attribute");
    return false;
  }
  *key = a.data() + sizeof(Head);
  *key_len = n;
  return true;
}

std::string_view algo_name(const char (&name)[64]) {
  const void* nul = std::memchr(name, 0, sizeof name);
  return std::string_view(name, nul ? static_cast<const char*>(nul) - name : sizeof name);
}

// One algorithm record; `rec` is reused when AUTH and AUTH_TRUNC both come.
Rec algo_record(RecordSet& out, Rec& state, uint16_t field, std::vector<size_t>& slot) {
  if (slot.empty()) {
    Rec r = out.add(xfrm_algo_schema());
    slot.push_back(r.index());
    state.obj(field, r.index());
    return r;
  }
  return Rec(&out, &xfrm_algo_schema(), slot[0]);
}

// ---- policies ----

}  // namespace

size_t emit_xfrm_policy(const xfrm_userpolicy_info& p, Attrs attrs, RecordSet& out) {
  Rec r = out.add(xfrm_policy_schema());
  namespace f = xfrm_policy_f;
  const xfrm_selector& sel = p.sel;
  r.num(f::family, sel.family);
  put_cidr(r, f::dst, sel.family, sel.daddr, sel.prefixlen_d);
  put_cidr(r, f::src, sel.family, sel.saddr, sel.prefixlen_s);
  r.num(f::proto, sel.proto);
  r.num(f::dstPort, ntohs(sel.dport));
  r.num(f::srcPort, ntohs(sel.sport));
  r.num(f::ifindex, sel.ifindex);
  r.num(f::dir, p.dir);
  r.num(f::priority, p.priority);
  r.num(f::index, p.index);
  r.num(f::action, p.action);
  r.num(f::flags, p.flags);
  r.num(f::share, p.share);
  r.obj(f::limits, add_limits(out, p.lft));
  Rec st = out.add(xfrm_policy_stats_schema());
  st.big(xfrm_policy_stats_f::bytes, p.curlft.bytes);
  st.big(xfrm_policy_stats_f::packets, p.curlft.packets);
  st.big(xfrm_policy_stats_f::addTime, p.curlft.add_time);
  st.big(xfrm_policy_stats_f::useTime, p.curlft.use_time);
  r.obj(f::statistics, st.index());
  size_t first_tmpl = out.count(xfrm_tmpl_schema());
  bool have_tmpls = false;

  for (const Attr& a : attrs) {
    switch (a.type()) {
      case XFRMA_TMPL: {
        // One or more struct xfrm_user_tmpl, back to back.
        if (a.len() % sizeof(xfrm_user_tmpl) != 0) {
          a.err()->fail("XFRMA_TMPL is not a whole number of templates");
          break;
        }
        have_tmpls = true;
        for (size_t off = 0; off < a.len(); off += sizeof(xfrm_user_tmpl)) {
          xfrm_user_tmpl t;
          Attr(a.type(), a.data() + off, sizeof t, a.err()).get(&t);
          Rec tr = out.add(xfrm_tmpl_schema());
          namespace tf = xfrm_tmpl_f;
          // The kernel fills a template's family from the policy when it
          // was added without one; fall back the same way.
          int fam = t.family != AF_UNSPEC ? t.family : sel.family;
          tr.num(tf::family, t.family);
          put_addr(tr, tf::dst, fam, t.id.daddr);
          put_addr(tr, tf::src, fam, t.saddr);
          tr.num(tf::proto, t.id.proto);
          tr.num(tf::mode, t.mode);
          tr.num(tf::spi, ntohl(t.id.spi));
          tr.num(tf::reqid, t.reqid);
          tr.num(tf::optional, t.optional);
          tr.num(tf::share, t.share);
          tr.num(tf::aalgos, t.aalgos);
          tr.num(tf::ealgos, t.ealgos);
          tr.num(tf::calgos, t.calgos);
        }
        break;
      }
      case XFRMA_MARK: {
        xfrm_mark mk;
        if (a.get(&mk)) r.obj(f::mark, add_mark(out, mk.v, mk.m));
        break;
      }
      case XFRMA_IF_ID: r.num(f::ifid, a.u32()); break;
      case XFRMA_POLICY_TYPE: {
        xfrm_userpolicy_type t;
        if (a.get(&t)) r.num(f::policyType, t.type);
        break;
      }
    }
  }
  // No templates is an empty list (a block policy, say), never null.
  size_t n = have_tmpls ? out.count(xfrm_tmpl_schema()) - first_tmpl : 0;
  r.list(f::tmpls, first_tmpl, n);
  return r.index();
}

namespace {

void parse_policy_msg(const Message& m, RecordSet& out) {
  if (m.type() != XFRM_MSG_NEWPOLICY) return;
  xfrm_userpolicy_info p;
  if (!m.header(&p)) return;
  emit_xfrm_policy(p, m.attrs(sizeof p), out);
}

const Parser kPolicyParser{"xfrmPolicies", xfrm_policy_schema, parse_policy_msg};
Register reg_policy_parser(kPolicyParser);

// ---- states ----

}  // namespace

size_t emit_xfrm_selector(const xfrm_selector& s, int family, RecordSet& out) {
  Rec sel = out.add(xfrm_selector_schema());
  namespace sf = xfrm_selector_f;
  int sfam = s.family != AF_UNSPEC ? s.family : family;
  sel.num(sf::family, s.family);
  put_cidr(sel, sf::dst, sfam, s.daddr, s.prefixlen_d);
  put_cidr(sel, sf::src, sfam, s.saddr, s.prefixlen_s);
  sel.num(sf::proto, s.proto);
  sel.num(sf::dstPort, ntohs(s.dport));
  sel.num(sf::srcPort, ntohs(s.sport));
  sel.num(sf::ifindex, s.ifindex);
  sel.num(sf::user, s.user);
  return sel.index();
}

size_t emit_xfrm_state(const xfrm_usersa_info& p, Attrs attrs, RecordSet& out) {
  Rec r = out.add(xfrm_state_schema());
  namespace f = xfrm_state_f;
  const int fam = p.family;
  r.num(f::family, fam);
  put_addr(r, f::dst, fam, p.id.daddr);
  put_addr(r, f::src, fam, p.saddr);
  r.num(f::proto, p.id.proto);
  r.num(f::mode, p.mode);
  r.num(f::spi, ntohl(p.id.spi));
  r.num(f::reqid, p.reqid);
  r.num(f::replayWindow, p.replay_window);
  r.num(f::flags, p.flags);
  r.boolean(f::esn, (p.flags & XFRM_STATE_ESN) != 0);
  r.boolean(f::dontEncapDscp, false);
  r.boolean(f::oSeqMayWrap, false);
  r.obj(f::limits, add_limits(out, p.lft));

  Rec st = out.add(xfrm_state_stats_schema());
  {
    namespace sf = xfrm_state_stats_f;
    st.num(sf::replayWindow, p.stats.replay_window);
    st.num(sf::replay, p.stats.replay);
    st.num(sf::failed, p.stats.integrity_failed);
    st.big(sf::bytes, p.curlft.bytes);
    st.big(sf::packets, p.curlft.packets);
    st.big(sf::addTime, p.curlft.add_time);
    st.big(sf::useTime, p.curlft.use_time);
  }
  r.obj(f::statistics, st.index());

  r.obj(f::selector, emit_xfrm_selector(p.sel, fam, out));

  std::vector<size_t> auth_slot;
  uint32_t out_mark = 0, out_mask = 0;
  bool have_out_mark = false;

  for (const Attr& a : attrs) {
    switch (a.type()) {
      case XFRMA_ALG_AUTH:
      case XFRMA_ALG_CRYPT:
      case XFRMA_ALG_COMP: {
        xfrm_algo h;
        const uint8_t* key;
        size_t n;
        if (!read_algo(a, &h, &key, &n)) break;
        Rec ar = a.type() == XFRMA_ALG_AUTH ? algo_record(out, r, f::auth, auth_slot)
                                            : out.add(xfrm_algo_schema());
        // AUTH_TRUNC (which carries the truncation length) wins over AUTH.
        if (a.type() == XFRMA_ALG_AUTH && ar.has(xfrm_algo_f::truncateLen)) break;
        ar.str(xfrm_algo_f::name, algo_name(h.alg_name));
        ar.bytes(xfrm_algo_f::key, key, n);
        if (a.type() == XFRMA_ALG_CRYPT) r.obj(f::crypt, ar.index());
        if (a.type() == XFRMA_ALG_COMP) r.obj(f::comp, ar.index());
        break;
      }
      case XFRMA_ALG_AUTH_TRUNC: {
        xfrm_algo_auth h;
        const uint8_t* key;
        size_t n;
        if (!read_algo(a, &h, &key, &n)) break;
        Rec ar = algo_record(out, r, f::auth, auth_slot);
        ar.str(xfrm_algo_f::name, algo_name(h.alg_name));
        ar.bytes(xfrm_algo_f::key, key, n);
        ar.num(xfrm_algo_f::truncateLen, h.alg_trunc_len);
        break;
      }
      case XFRMA_ALG_AEAD: {
        xfrm_algo_aead h;
        const uint8_t* key;
        size_t n;
        if (!read_algo(a, &h, &key, &n)) break;
        Rec ar = out.add(xfrm_algo_schema());
        ar.str(xfrm_algo_f::name, algo_name(h.alg_name));
        ar.bytes(xfrm_algo_f::key, key, n);
        ar.num(xfrm_algo_f::icvLen, h.alg_icv_len);
        r.obj(f::aead, ar.index());
        break;
      }
      case XFRMA_ENCAP: {
        xfrm_encap_tmpl e;
        if (!a.get(&e)) break;
        Rec er = out.add(xfrm_encap_schema());
        er.num(xfrm_encap_f::type, e.encap_type);
        er.num(xfrm_encap_f::srcPort, ntohs(e.encap_sport));
        er.num(xfrm_encap_f::dstPort, ntohs(e.encap_dport));
        put_addr(er, xfrm_encap_f::originalAddress, fam, e.encap_oa);
        r.obj(f::encap, er.index());
        break;
      }
      case XFRMA_MARK: {
        xfrm_mark mk;
        if (a.get(&mk)) r.obj(f::mark, add_mark(out, mk.v, mk.m));
        break;
      }
      case XFRMA_SET_MARK:
        out_mark = a.u32();
        have_out_mark = true;
        break;
      case XFRMA_SET_MARK_MASK:
        out_mask = a.u32();
        have_out_mark = true;
        break;
      case XFRMA_SA_EXTRA_FLAGS: {
        uint32_t x = a.u32();
        r.num(f::extraFlags, x);
        r.boolean(f::dontEncapDscp, (x & XFRM_SA_XFLAG_DONT_ENCAP_DSCP) != 0);
        r.boolean(f::oSeqMayWrap, (x & XFRM_SA_XFLAG_OSEQ_MAY_WRAP) != 0);
        break;
      }
      case kXfrmaSaDir: r.num(f::saDir, a.u8()); break;
      case XFRMA_IF_ID: r.num(f::ifid, a.u32()); break;
      case kXfrmaSaPcpu: r.num(f::pcpunum, a.u32()); break;
      case XFRMA_TFCPAD: r.num(f::tfcpad, a.u32()); break;
      case XFRMA_REPLAY_VAL: {
        xfrm_replay_state rs;
        if (!a.get(&rs)) break;
        Rec rr = out.add(xfrm_replay_schema());
        rr.num(xfrm_replay_f::oSeq, rs.oseq);
        rr.num(xfrm_replay_f::seq, rs.seq);
        rr.num(xfrm_replay_f::bitMap, rs.bitmap);
        r.obj(f::replay, rr.index());
        break;
      }
      case XFRMA_REPLAY_ESN_VAL: {
        xfrm_replay_state_esn e;
        if (!a.get(&e)) break;
        size_t words = e.bmp_len;
        if (words > (a.len() - sizeof e) / sizeof(uint32_t)) {
          a.err()->fail("XFRMA_REPLAY_ESN_VAL bitmap longer than its attribute");
          break;
        }
        Rec er = out.add(xfrm_replay_esn_schema());
        namespace ef = xfrm_replay_esn_f;
        er.num(ef::bmpLen, e.bmp_len);
        er.num(ef::oSeq, e.oseq);
        er.num(ef::seq, e.seq);
        er.num(ef::oSeqHi, e.oseq_hi);
        er.num(ef::seqHi, e.seq_hi);
        er.num(ef::replayWindow, e.replay_window);
        er.bytes(ef::bmp, a.data() + sizeof e, words * sizeof(uint32_t));
        r.obj(f::replayEsn, er.index());
        break;
      }
    }
  }
  if (have_out_mark) r.obj(f::outputMark, add_mark(out, out_mark, out_mask));
  return r.index();
}

namespace {

void parse_state_msg(const Message& m, RecordSet& out) {
  if (m.type() != XFRM_MSG_NEWSA) return;
  xfrm_usersa_info p;
  if (!m.header(&p)) return;
  emit_xfrm_state(p, m.attrs(sizeof p), out);
}

const Parser kStateParser{"xfrmStates", xfrm_state_schema, parse_state_msg};
Register reg_state_parser(kStateParser);

// ---- requests ----

// xfrm.policy.dump / xfrm.state.dump { family } (0 = all, 2, 10).
#define XFRM_DUMP_ARGS(F) F(family, U8, Req)
NLW_ARGS(XfrmDumpArgs, XFRM_DUMP_ARGS)

// Family filtering as vishvananda does it: the kernel dumps every family
// and objects of another family are dropped before parsing (the policy's
// selector family, the SA's own family). Malformed messages are kept for the
// parser to report.
template <class Head>
MessageFilter family_filter(int family, uint16_t (*family_of)(const Head&), uint16_t type) {
  return [=](const Message& m) {
    Head h;
    if (m.type() != type || m.payload_len() < sizeof h) return true;
    std::memcpy(&h, m.payload(), sizeof h);
    return family_of(h) == family;
  };
}

uint16_t policy_family(const xfrm_userpolicy_info& p) {
  return p.sel.family;
}
uint16_t state_family(const xfrm_usersa_info& p) {
  return p.family;
}

// A bare dump request, as iproute2 sends (the kernel ignores any payload
// for a policy dump and reads only optional attributes for a state dump).
bool run_dump(OpContext& ctx, const XfrmDumpArgs& args, bool policies) {
  std::vector<uint8_t> req;
  std::string why;
  if (!RequestBuilder(policies ? XFRM_MSG_GETPOLICY : XFRM_MSG_GETSA, NLM_F_DUMP)
           .take(&req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  const Parser& parser = *ctx.op->parser;
  if (args.family == AF_UNSPEC) return transact_and_parse(parser, ctx, req);
  MessageFilter keep =
      policies ? family_filter<xfrm_userpolicy_info>(args.family, policy_family, XFRM_MSG_NEWPOLICY)
               : family_filter<xfrm_usersa_info>(args.family, state_family, XFRM_MSG_NEWSA);
  return transact_and_parse(parser, ctx, req, &keep);
}

bool run_policy_dump(OpContext& ctx, const XfrmDumpArgs& args) {
  return run_dump(ctx, args, true);
}
bool run_state_dump(OpContext& ctx, const XfrmDumpArgs& args) {
  return run_dump(ctx, args, false);
}

const Op kPolicyDump =
    typed_op<XfrmDumpArgs, run_policy_dump>("xfrm.policy.dump", NETLINK_XFRM, &kPolicyParser);
Register reg_policy_dump(kPolicyDump);
const Op kStateDump =
    typed_op<XfrmDumpArgs, run_state_dump>("xfrm.state.dump", NETLINK_XFRM, &kStateParser);
Register reg_state_dump(kStateDump);

Register reg_constants({
    NLW_CONST(XFRM_POLICY_IN),
    NLW_CONST(XFRM_POLICY_OUT),
    NLW_CONST(XFRM_POLICY_FWD),
    NLW_CONST(XFRM_POLICY_ALLOW),
    NLW_CONST(XFRM_POLICY_BLOCK),
    NLW_CONST(XFRM_POLICY_LOCALOK),
    NLW_CONST(XFRM_POLICY_ICMP),
    NLW_CONST(XFRM_POLICY_TYPE_MAIN),
    NLW_CONST(XFRM_POLICY_TYPE_SUB),
    NLW_CONST(XFRM_SHARE_ANY),
    NLW_CONST(XFRM_SHARE_SESSION),
    NLW_CONST(XFRM_SHARE_USER),
    NLW_CONST(XFRM_SHARE_UNIQUE),
    NLW_CONST(XFRM_MODE_TRANSPORT),
    NLW_CONST(XFRM_MODE_TUNNEL),
    NLW_CONST(XFRM_MODE_ROUTEOPTIMIZATION),
    NLW_CONST(XFRM_MODE_IN_TRIGGER),
    NLW_CONST(XFRM_MODE_BEET),
    NLW_CONST(IPPROTO_ESP),
    NLW_CONST(IPPROTO_AH),
    NLW_CONST(IPPROTO_COMP),
    NLW_CONST(IPPROTO_IPIP),
    NLW_CONST(IPPROTO_IPV6),
    NLW_CONST(IPPROTO_ROUTING),
    NLW_CONST(IPPROTO_DSTOPTS),
    NLW_CONST(IPPROTO_RAW),
    NLW_CONST(IPPROTO_TCP),
    NLW_CONST(IPPROTO_UDP),
    NLW_CONST(IPPROTO_ICMP),
    NLW_CONST(IPPROTO_ICMPV6),
    NLW_CONST(IPPROTO_SCTP),
    NLW_CONST(XFRM_STATE_NOECN),
    NLW_CONST(XFRM_STATE_DECAP_DSCP),
    NLW_CONST(XFRM_STATE_NOPMTUDISC),
    NLW_CONST(XFRM_STATE_WILDRECV),
    NLW_CONST(XFRM_STATE_ICMP),
    NLW_CONST(XFRM_STATE_AF_UNSPEC),
    NLW_CONST(XFRM_STATE_ALIGN4),
    NLW_CONST(XFRM_STATE_ESN),
    NLW_CONST(XFRM_SA_XFLAG_DONT_ENCAP_DSCP),
    NLW_CONST(XFRM_SA_XFLAG_OSEQ_MAY_WRAP),
    NLW_CONST(UDP_ENCAP_ESPINUDP_NON_IKE),
    NLW_CONST(UDP_ENCAP_ESPINUDP),
    {"XFRM_SA_DIR_IN", 1},
    {"XFRM_SA_DIR_OUT", 2},  // 6.10, not in 6.1 headers
});

}  // namespace
}  // namespace nlw
