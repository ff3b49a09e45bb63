// Links: RTM_NEWLINK messages (struct ifinfomsg + IFLA_* attributes), and
// the link.dump / link.get requests.
//
// Field names follow vishvananda/netlink's LinkAttrs (lowerCamelCase); every
// enumerated value is the kernel's own number. A kind's own fields
// (IFLA_INFO_DATA) are a Variant record merged onto the link by the facade;
// see the kind table at the end of this file.
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdio>
#include <string>

#include "dump.h"
#include "link_kinds.h"
#include "registry.h"
#include "request.h"

namespace nlw {
namespace {

// IFLA_* newer than the uapi headers this is built against (Debian 12: 6.1).
constexpr uint16_t kIflaGsoIpv4MaxSize = 63;  // 6.3
constexpr uint16_t kIflaGroIpv4MaxSize = 64;  // 6.3

// clang-format off
#define LINK_STATS_FIELDS(F)                                               \
  F(rxPackets, BigInt, "") F(txPackets, BigInt, "") F(rxBytes, BigInt, "") \
  F(txBytes, BigInt, "") F(rxErrors, BigInt, "") F(txErrors, BigInt, "")   \
  F(rxDropped, BigInt, "") F(txDropped, BigInt, "")                        \
  F(multicast, BigInt, "") F(collisions, BigInt, "")                       \
  F(rxLengthErrors, BigInt, "") F(rxOverErrors, BigInt, "")                \
  F(rxCrcErrors, BigInt, "") F(rxFrameErrors, BigInt, "")                  \
  F(rxFifoErrors, BigInt, "") F(rxMissedErrors, BigInt, "")                \
  F(txAbortedErrors, BigInt, "") F(txCarrierErrors, BigInt, "")            \
  F(txFifoErrors, BigInt, "") F(txHeartbeatErrors, BigInt, "")             \
  F(txWindowErrors, BigInt, "") F(rxCompressed, BigInt, "")                \
  F(txCompressed, BigInt, "") F(rxNohandler, BigInt, "")                   \
  F(rxOtherhostDropped, BigInt, "")
NLW_SCHEMA(link_stats, LINK_STATS_FIELDS)
// clang-format on

// clang-format off
#define LINK_XDP_FIELDS(F) \
  F(attached, Bool, "") F(attachMode, Num, "") F(flags, Num, "") F(progId, Num, "")
NLW_SCHEMA(link_xdp, LINK_XDP_FIELDS)
// clang-format on

// clang-format off
#define LINK_VF_FIELDS(F)                                                   \
  F(id, Num, "") F(mac, Str, "") F(vlan, Num, "") F(qos, Num, "")          \
  F(vlanProto, Num, "") F(txRate, Num, "") F(spoofchk, Bool, "")           \
  F(linkState, Num, "") F(maxTxRate, Num, "") F(minTxRate, Num, "")        \
  F(trust, Bool, "") F(rssQuery, Bool, "") F(rxPackets, BigInt, "")        \
  F(txPackets, BigInt, "") F(rxBytes, BigInt, "") F(txBytes, BigInt, "")   \
  F(multicast, BigInt, "") F(broadcast, BigInt, "") F(rxDropped, BigInt, "") \
  F(txDropped, BigInt, "")
NLW_SCHEMA(link_vf, LINK_VF_FIELDS)
// clang-format on

// clang-format off
#define LINK_FIELDS(F)                                                        \
  F(index, Num, "") F(name, Str, "") F(type, Str, "") F(mtu, Num, "")        \
  F(txQLen, Num, "") F(hardwareAddr, Str, "") F(permHwAddr, Str, "")         \
  F(broadcast, Str, "") F(flags, Num, "") F(rawFlags, Num, "")               \
  F(encapType, Num, "") F(parentIndex, Num, "") F(masterIndex, Num, "")      \
  F(alias, Str, "") F(altNames, Strs, "") F(operState, Num, "")              \
  F(linkMode, Num, "") F(promisc, Num, "") F(allmulti, Num, "")              \
  F(allmultiCount, Num, "")                                                 \
  F(multi, Bool, "") F(carrier, Bool, "") F(carrierChanges, Num, "")         \
  F(carrierUpCount, Num, "") F(carrierDownCount, Num, "")                    \
  F(protoDown, Bool, "") F(netNsId, Num, "") F(group, Num, "")               \
  F(qdisc, Str, "") F(numTxQueues, Num, "") F(numRxQueues, Num, "")          \
  F(minMtu, Num, "") F(maxMtu, Num, "") F(gsoMaxSegs, Num, "")               \
  F(gsoMaxSize, Num, "") F(groMaxSize, Num, "") F(gsoIpv4MaxSize, Num, "")   \
  F(groIpv4MaxSize, Num, "") F(tsoMaxSegs, Num, "") F(tsoMaxSize, Num, "")   \
  F(physPortId, Str, "") F(physPortName, Str, "") F(physSwitchId, Str, "")   \
  F(parentDev, Str, "") F(parentDevBus, Str, "") F(slaveType, Str, "")       \
  F(numVf, Num, "") F(vfs, List, "link_vf") F(xdp, Obj, "link_xdp")           \
  F(statistics, Obj, "link_stats") F(kindData, Variant, "")                  \
  F(slave, VariantObj, "")
NLW_SCHEMA(link, LINK_FIELDS)
// clang-format on

std::string hex_id(const Attr& a) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < a.len(); i++) {
    s += kHex[a.data()[i] >> 4];
    s += kHex[a.data()[i] & 15];
  }
  return s;
}

void parse_stats64(const Attr& a, RecordSet& out, Rec& link) {
  rtnl_link_stats64 st{};
  // Older kernels send a shorter struct; read what is there.
  std::memcpy(&st, a.data(), a.len() < sizeof st ? a.len() : sizeof st);
  if (a.len() < offsetof(rtnl_link_stats64, rx_nohandler)) {
    a.err()->fail("IFLA_STATS64 too short");
    return;
  }
  Rec s = out.add(link_stats_schema());
  namespace f = link_stats_f;
  s.big(f::rxPackets, st.rx_packets);
  s.big(f::txPackets, st.tx_packets);
  s.big(f::rxBytes, st.rx_bytes);
  s.big(f::txBytes, st.tx_bytes);
  s.big(f::rxErrors, st.rx_errors);
  s.big(f::txErrors, st.tx_errors);
  s.big(f::rxDropped, st.rx_dropped);
  s.big(f::txDropped, st.tx_dropped);
  s.big(f::multicast, st.multicast);
  s.big(f::collisions, st.collisions);
  s.big(f::rxLengthErrors, st.rx_length_errors);
  s.big(f::rxOverErrors, st.rx_over_errors);
  s.big(f::rxCrcErrors, st.rx_crc_errors);
  s.big(f::rxFrameErrors, st.rx_frame_errors);
  s.big(f::rxFifoErrors, st.rx_fifo_errors);
  s.big(f::rxMissedErrors, st.rx_missed_errors);
  s.big(f::txAbortedErrors, st.tx_aborted_errors);
  s.big(f::txCarrierErrors, st.tx_carrier_errors);
  s.big(f::txFifoErrors, st.tx_fifo_errors);
  s.big(f::txHeartbeatErrors, st.tx_heartbeat_errors);
  s.big(f::txWindowErrors, st.tx_window_errors);
  s.big(f::rxCompressed, st.rx_compressed);
  s.big(f::txCompressed, st.tx_compressed);
  if (a.len() >= offsetof(rtnl_link_stats64, rx_nohandler) + 8)
    s.big(f::rxNohandler, st.rx_nohandler);
  // rx_otherhost_dropped: 5.19+, after rx_nohandler.
  constexpr size_t kOtherhost = offsetof(rtnl_link_stats64, rx_nohandler) + 8;
  if (a.len() >= kOtherhost + 8) {
    uint64_t v;
    std::memcpy(&v, a.data() + kOtherhost, 8);
    s.big(f::rxOtherhostDropped, v);
  }
  link.obj(link_f::statistics, s.index());
}

void parse_xdp(const Attr& a, RecordSet& out, Rec& link) {
  Rec x = out.add(link_xdp_schema());
  namespace f = link_xdp_f;
  for (const Attr& n : Attrs(a)) {
    switch (n.type()) {
      case IFLA_XDP_ATTACHED:
        x.num(f::attachMode, n.u8());
        x.boolean(f::attached, n.u8() != XDP_ATTACHED_NONE);
        break;
      case IFLA_XDP_FLAGS: x.num(f::flags, n.u32()); break;
      case IFLA_XDP_PROG_ID: x.num(f::progId, n.u32()); break;
    }
  }
  link.obj(link_f::xdp, x.index());
}

void parse_vf(const Attr& vfinfo, RecordSet& out) {
  Rec v = out.add(link_vf_schema());
  namespace f = link_vf_f;
  for (const Attr& a : Attrs(vfinfo)) {
    switch (a.type()) {
      case IFLA_VF_MAC: {
        ifla_vf_mac m;
        if (!a.get(&m)) break;
        v.num(f::id, m.vf);
        v.str(f::mac, mac_string(m.mac, 6));
        break;
      }
      case IFLA_VF_VLAN: {
        ifla_vf_vlan m;
        if (!a.get(&m)) break;
        v.num(f::vlan, m.vlan);
        v.num(f::qos, m.qos);
        break;
      }
      case IFLA_VF_VLAN_LIST:
        for (const Attr& e : Attrs(a)) {
          ifla_vf_vlan_info vi;
          if (e.type() == IFLA_VF_VLAN_INFO && e.get(&vi)) {
            v.num(f::vlanProto, ntohs(vi.vlan_proto));
            break;
          }
        }
        break;
      case IFLA_VF_TX_RATE: {
        ifla_vf_tx_rate m;
        if (a.get(&m)) v.num(f::txRate, m.rate);
        break;
      }
      case IFLA_VF_RATE: {
        ifla_vf_rate m;
        if (!a.get(&m)) break;
        v.num(f::minTxRate, m.min_tx_rate);
        v.num(f::maxTxRate, m.max_tx_rate);
        break;
      }
      case IFLA_VF_SPOOFCHK: {
        ifla_vf_spoofchk m;
        if (a.get(&m)) v.boolean(f::spoofchk, m.setting != 0);
        break;
      }
      case IFLA_VF_LINK_STATE: {
        ifla_vf_link_state m;
        if (a.get(&m)) v.num(f::linkState, m.link_state);
        break;
      }
      case IFLA_VF_TRUST: {
        ifla_vf_trust m;
        if (a.get(&m)) v.boolean(f::trust, m.setting != 0);
        break;
      }
      case IFLA_VF_RSS_QUERY_EN: {
        ifla_vf_rss_query_en m;
        if (a.get(&m)) v.boolean(f::rssQuery, m.setting != 0);
        break;
      }
      case IFLA_VF_STATS:
        for (const Attr& s : Attrs(a)) {
          switch (s.type()) {
            case IFLA_VF_STATS_RX_PACKETS: v.big(f::rxPackets, s.u64()); break;
            case IFLA_VF_STATS_TX_PACKETS: v.big(f::txPackets, s.u64()); break;
            case IFLA_VF_STATS_RX_BYTES: v.big(f::rxBytes, s.u64()); break;
            case IFLA_VF_STATS_TX_BYTES: v.big(f::txBytes, s.u64()); break;
            case IFLA_VF_STATS_MULTICAST: v.big(f::multicast, s.u64()); break;
            case IFLA_VF_STATS_BROADCAST: v.big(f::broadcast, s.u64()); break;
            case IFLA_VF_STATS_RX_DROPPED: v.big(f::rxDropped, s.u64()); break;
            case IFLA_VF_STATS_TX_DROPPED: v.big(f::txDropped, s.u64()); break;
          }
        }
        break;
    }
  }
}

void parse_link_msg(const Message& m, RecordSet& out) {
  if (m.type() != RTM_NEWLINK && m.type() != RTM_DELLINK) return;  // DEL: events
  ifinfomsg ifi;
  if (!m.header(&ifi)) return;
  Rec r = out.add(link_schema());
  namespace f = link_f;
  r.num(f::index, ifi.ifi_index);
  r.num(f::flags, ifi.ifi_flags);
  r.num(f::rawFlags, ifi.ifi_flags);
  r.num(f::encapType, ifi.ifi_type);
  r.boolean(f::multi, (ifi.ifi_flags & IFF_MULTICAST) != 0);
  // vishvananda's Allmulti: 1 when IFF_ALLMULTI is set. The kernel's count
  // (IFLA_ALLMULTI, what `ip -d` prints) is allmultiCount: a bridge port
  // counts 1 without the flag.
  r.num(f::allmulti, (ifi.ifi_flags & IFF_ALLMULTI) != 0 ? 1 : 0);
  r.str(f::type, "device");

  std::string_view kind, slave_kind;
  const Attr* info_data = nullptr;
  const Attr* slave_data = nullptr;
  Attr info_data_attr(0, nullptr, 0, m.err()), slave_data_attr(0, nullptr, 0, m.err());
  std::vector<std::string_view> alt_names;
  bool have_alt = false;

  for (const Attr& a : m.attrs(sizeof ifi)) {
    switch (a.type()) {
      case IFLA_IFNAME: r.str(f::name, a.str()); break;
      case IFLA_MTU: r.num(f::mtu, a.u32()); break;
      case IFLA_TXQLEN: r.num(f::txQLen, a.u32()); break;
      case IFLA_ADDRESS: {
        std::string mac = mac_string(a.data(), a.len());
        if (!mac.empty()) r.str(f::hardwareAddr, mac);
        break;
      }
      case IFLA_PERM_ADDRESS: {
        std::string mac = mac_string(a.data(), a.len());
        if (!mac.empty()) r.str(f::permHwAddr, mac);
        break;
      }
      case IFLA_BROADCAST: {
        std::string mac = mac_string(a.data(), a.len());
        if (!mac.empty()) r.str(f::broadcast, mac);
        break;
      }
      case IFLA_LINK: r.num(f::parentIndex, a.u32()); break;
      case IFLA_MASTER: r.num(f::masterIndex, a.u32()); break;
      case IFLA_IFALIAS: r.str(f::alias, a.str()); break;
      case IFLA_PROP_LIST:
        have_alt = true;
        for (const Attr& p : Attrs(a))
          if (p.type() == IFLA_ALT_IFNAME) alt_names.push_back(p.str());
        break;
      case IFLA_OPERSTATE: r.num(f::operState, a.u8()); break;
      case IFLA_LINKMODE: r.num(f::linkMode, a.u8()); break;
      case IFLA_PROMISCUITY: r.num(f::promisc, a.u32()); break;
      case IFLA_ALLMULTI: r.num(f::allmultiCount, a.u32()); break;
      case IFLA_CARRIER: r.boolean(f::carrier, a.u8() != 0); break;
      case IFLA_CARRIER_CHANGES: r.num(f::carrierChanges, a.u32()); break;
      case IFLA_CARRIER_UP_COUNT: r.num(f::carrierUpCount, a.u32()); break;
      case IFLA_CARRIER_DOWN_COUNT: r.num(f::carrierDownCount, a.u32()); break;
      case IFLA_PROTO_DOWN: r.boolean(f::protoDown, a.u8() != 0); break;
      case IFLA_LINK_NETNSID: r.num(f::netNsId, a.s32()); break;
      case IFLA_GROUP: r.num(f::group, a.u32()); break;
      case IFLA_QDISC: r.str(f::qdisc, a.str()); break;
      case IFLA_NUM_TX_QUEUES: r.num(f::numTxQueues, a.u32()); break;
      case IFLA_NUM_RX_QUEUES: r.num(f::numRxQueues, a.u32()); break;
      case IFLA_MIN_MTU: r.num(f::minMtu, a.u32()); break;
      case IFLA_MAX_MTU: r.num(f::maxMtu, a.u32()); break;
      case IFLA_GSO_MAX_SEGS: r.num(f::gsoMaxSegs, a.u32()); break;
      case IFLA_GSO_MAX_SIZE: r.num(f::gsoMaxSize, a.u32()); break;
      case IFLA_GRO_MAX_SIZE: r.num(f::groMaxSize, a.u32()); break;
      case kIflaGsoIpv4MaxSize: r.num(f::gsoIpv4MaxSize, a.u32()); break;
      case kIflaGroIpv4MaxSize: r.num(f::groIpv4MaxSize, a.u32()); break;
      case IFLA_TSO_MAX_SEGS: r.num(f::tsoMaxSegs, a.u32()); break;
      case IFLA_TSO_MAX_SIZE: r.num(f::tsoMaxSize, a.u32()); break;
      case IFLA_PHYS_PORT_ID: r.str(f::physPortId, hex_id(a)); break;
      case IFLA_PHYS_SWITCH_ID: r.str(f::physSwitchId, hex_id(a)); break;
      case IFLA_PHYS_PORT_NAME: r.str(f::physPortName, a.str()); break;
      case IFLA_PARENT_DEV_NAME: r.str(f::parentDev, a.str()); break;
      case IFLA_PARENT_DEV_BUS_NAME: r.str(f::parentDevBus, a.str()); break;
      case IFLA_NUM_VF: r.num(f::numVf, a.u32()); break;
      case IFLA_VFINFO_LIST: {
        size_t first = out.count(link_vf_schema());
        for (const Attr& v : Attrs(a))
          if (v.type() == IFLA_VF_INFO) parse_vf(v, out);
        r.list(f::vfs, first, out.count(link_vf_schema()) - first);
        break;
      }
      case IFLA_XDP: parse_xdp(a, out, r); break;
      case IFLA_STATS64: parse_stats64(a, out, r); break;
      case IFLA_LINKINFO:
        for (const Attr& li : Attrs(a)) {
          switch (li.type()) {
            case IFLA_INFO_KIND: kind = li.str(); break;
            case IFLA_INFO_SLAVE_KIND: slave_kind = li.str(); break;
            case IFLA_INFO_DATA:
              info_data_attr = li;
              info_data = &info_data_attr;
              break;
            case IFLA_INFO_SLAVE_DATA:
              slave_data_attr = li;
              slave_data = &slave_data_attr;
              break;
          }
        }
        break;
    }
  }
  if (have_alt) r.strs(f::altNames, alt_names);
  if (!kind.empty()) r.str(f::type, kind);
  if (!slave_kind.empty()) r.str(f::slaveType, slave_kind);
  // Kind data: a kind with a decoder always gets its fields (null where the
  // kernel sent none), so every link of a kind has the same shape.
  if (const LinkKind* k = find_link_kind(kind)) {
    Rec kd = out.add(k->schema());
    if (info_data) k->parse(*info_data, kd);
    r.variant(f::kindData, k->schema(), kd.index());
  }
  if (const LinkKind* k = find_link_slave_kind(slave_kind)) {
    Rec sd = out.add(k->schema());
    if (slave_data) k->parse(*slave_data, sd);
    r.variant(f::slave, k->schema(), sd.index());
  }
}

const Parser kLinkParser{"links", link_schema, parse_link_msg};
Register reg_parser(kLinkParser);

// link.dump {}: every link, with VF info (RTEXT_FILTER_VF) like vishvananda.
#define LINK_DUMP_ARGS(F)
NLW_ARGS(LinkDumpArgs, LINK_DUMP_ARGS)

bool build_dump(const LinkDumpArgs&, std::vector<uint8_t>* req, std::string* why) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  return RequestBuilder(RTM_GETLINK, NLM_F_DUMP)
      .fixed(ifi)
      .attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_VF)
      .take(req, why);
}
const Op kDump = typed_op<LinkDumpArgs, run_request<LinkDumpArgs, build_dump>>(
    "link.dump", NETLINK_ROUTE, &kLinkParser);
Register reg_dump(kDump);

// link.get { index?, name?, altName? }: one link by index, IFLA_IFNAME or
// IFLA_ALT_IFNAME.
#define LINK_GET_ARGS(F) F(index, U32, Opt) F(name, Str, Opt) F(altName, Str, Opt)
NLW_ARGS(LinkGetArgs, LINK_GET_ARGS)

bool build_get(const LinkGetArgs& args, std::vector<uint8_t>* req, std::string* why) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  if (args.index && *args.index > static_cast<uint32_t>(INT32_MAX)) {
    *why = "ifindex out of range";
    return false;
  }
  ifi.ifi_index = static_cast<int>(args.index.value_or(0));
  RequestBuilder b(RTM_GETLINK, 0);
  b.fixed(ifi).attr_u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
  if (args.name) {
    if (args.name->size() >= IFNAMSIZ) {
      *why = "IFLA_IFNAME longer than 15 bytes";
      return false;
    }
    b.attr_str(IFLA_IFNAME, *args.name);
  } else if (args.altName) {
    b.attr_str(IFLA_ALT_IFNAME, *args.altName);
  }
  return b.take(req, why);
}
const Op kGet = typed_op<LinkGetArgs, run_request<LinkGetArgs, build_get>>(
    "link.get", NETLINK_ROUTE, &kLinkParser);
Register reg_get(kGet);

Register reg_constants({
    NLW_CONST(IF_OPER_UNKNOWN),    NLW_CONST(IF_OPER_NOTPRESENT),
    NLW_CONST(IF_OPER_DOWN),       NLW_CONST(IF_OPER_LOWERLAYERDOWN),
    NLW_CONST(IF_OPER_TESTING),    NLW_CONST(IF_OPER_DORMANT),
    NLW_CONST(IF_OPER_UP),         NLW_CONST(IFF_UP),
    NLW_CONST(IFF_BROADCAST),      NLW_CONST(IFF_DEBUG),
    NLW_CONST(IFF_LOOPBACK),       NLW_CONST(IFF_POINTOPOINT),
    NLW_CONST(IFF_NOTRAILERS),     NLW_CONST(IFF_RUNNING),
    NLW_CONST(IFF_NOARP),          NLW_CONST(IFF_PROMISC),
    NLW_CONST(IFF_ALLMULTI),       NLW_CONST(IFF_MASTER),
    NLW_CONST(IFF_SLAVE),          NLW_CONST(IFF_MULTICAST),
    NLW_CONST(IFF_PORTSEL),        NLW_CONST(IFF_AUTOMEDIA),
    NLW_CONST(IFF_DYNAMIC),        NLW_CONST(IFF_LOWER_UP),
    NLW_CONST(IFF_DORMANT),        NLW_CONST(IFF_ECHO),
    NLW_CONST(XDP_ATTACHED_NONE),  NLW_CONST(XDP_ATTACHED_DRV),
    NLW_CONST(XDP_ATTACHED_SKB),   NLW_CONST(XDP_ATTACHED_HW),
    NLW_CONST(XDP_ATTACHED_MULTI),
});

}  // namespace

std::string mac_string(const uint8_t* p, size_t n) {
  bool zero = true;
  for (size_t i = 0; i < n; i++) zero = zero && p[i] == 0;
  if (n == 0 || zero) return std::string();
  static const char* kHex = "0123456789abcdef";
  std::string s;
  s.reserve(n * 3);
  for (size_t i = 0; i < n; i++) {
    if (i) s += ':';
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 15];
  }
  return s;
}

}  // namespace nlw
