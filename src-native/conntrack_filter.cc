// Decoding and matching of the built-in conntrack filters (see
// conntrack_filter.h and lib/conntrack-wire.ts for the format).
#include "conntrack_filter.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace nlw {
namespace {

// Wire constants, mirrored in lib/conntrack-wire.ts.
constexpr uint32_t kMagic = 0x31465443;  // "CTF1"
enum Kind : uint8_t {
  kIpNet = 1,
  kProto = 2,
  kPort = 3,
  kLabels = 4,
  kZone = 5,
  kMark = 6,
  kStatus = 7,
};
// The facade rejects more with a RangeError (MAX_CONNTRACK_FILTERS in
// lib/conntrack-wire.ts): this only guards the decoder.
constexpr size_t kMaxFilters = 4096;
constexpr size_t kMaxConditions = 64;

// vishvananda's filter types (v1.3), and nlwrap's status types after them.
enum FilterType : uint8_t {
  kOrigSrcIP = 0,
  kOrigDstIP = 1,
  kReplySrcIP = 2,
  kReplyDstIP = 3,
  kReplyAnyIP = 4,
  kOrigSrcPort = 5,
  kOrigDstPort = 6,
  kMatchLabels = 7,
  kUnmatchLabels = 8,
  kMatchStatus = 9,
  kUnmatchStatus = 10,
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  bool take(void* out, size_t k) {
    if (k > n_ - off_) return false;
    std::memcpy(out, p_ + off_, k);
    off_ += k;
    return true;
  }
  template <class T>
  bool get(T* v) {
    return take(v, sizeof(T));
  }
  const uint8_t* here() const { return p_ + off_; }
  size_t left() const { return n_ - off_; }
  bool skip(size_t k) {
    if (k > left()) return false;
    off_ += k;
    return true;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t off_ = 0;
};

bool fail(std::string* why, const std::string& what) {
  *why = "conntrack filter spec: " + what;
  return false;
}

bool decode_one(Reader& r, CtFilter* f, std::string* why) {
  uint32_t count;
  if (!r.get(&count)) return fail(why, "truncated filter header");
  if (count > kMaxConditions) return fail(why, "too many conditions");
  for (uint32_t i = 0; i < count; i++) {
    uint8_t kind, type;
    uint16_t len;
    if (!r.get(&kind) || !r.get(&type) || !r.get(&len))
      return fail(why, "truncated condition header");
    if (len > r.left()) return fail(why, "condition longer than the spec");
    Reader c(r.here(), len);
    r.skip(len);
    switch (kind) {
      case kIpNet: {
        if (type > kReplyAnyIP) return fail(why, "bad IP filter type");
        CtFilter::Net& n = f->ip[type];
        if (n.set) return fail(why, "IP filter type repeated");
        uint8_t fam, prefix, pad[2];
        if (!c.get(&fam) || !c.get(&prefix) || !c.take(pad, 2) || !c.take(n.addr, 16))
          return fail(why, "truncated IP filter");
        if (fam != AF_INET && fam != AF_INET6) return fail(why, "bad IP family");
        if (prefix > (fam == AF_INET ? 32 : 128)) return fail(why, "bad prefix");
        n.set = true;
        n.family = fam;
        n.prefix = prefix;
        break;
      }
      case kProto: {
        uint8_t p;
        if (!c.get(&p) || f->proto >= 0) return fail(why, "bad protocol filter");
        f->proto = p;
        break;
      }
      case kPort: {
        uint16_t port;
        if ((type != kOrigSrcPort && type != kOrigDstPort) || !c.get(&port))
          return fail(why, "bad port filter");
        int& slot = f->port[type - kOrigSrcPort];
        if (slot >= 0) return fail(why, "port filter type repeated");
        slot = port;
        break;
      }
      case kLabels: {
        if (type != kMatchLabels && type != kUnmatchLabels)
          return fail(why, "bad label filter type");
        int k = type - kMatchLabels;
        if (f->has_labels[k]) return fail(why, "label filter type repeated");
        f->has_labels[k] = true;
        while (c.left() > 0) {
          uint16_t ln;
          if (!c.get(&ln) || ln > c.left()) return fail(why, "truncated label");
          f->labels[k].emplace_back(c.here(), c.here() + ln);
          c.skip(ln);
        }
        if (f->labels[k].empty()) return fail(why, "empty label list");
        break;
      }
      case kZone: {
        uint16_t z;
        if (!c.get(&z) || f->zone >= 0) return fail(why, "bad zone filter");
        f->zone = z;
        break;
      }
      case kMark: {
        if (f->has_mark || !c.get(&f->mark) || !c.get(&f->mark_mask))
          return fail(why, "bad mark filter");
        f->has_mark = true;
        break;
      }
      case kStatus: {
        if (type != kMatchStatus && type != kUnmatchStatus)
          return fail(why, "bad status filter type");
        int k = type - kMatchStatus;
        if (f->has_status[k] || !c.get(&f->status[k])) return fail(why, "bad status filter");
        f->has_status[k] = true;
        break;
      }
      default: return fail(why, "unknown condition kind " + std::to_string(kind));
    }
    if (c.left() != 0) return fail(why, "trailing bytes in a condition");
    f->conditions++;
  }
  return true;
}

// An address as Go's net.IP.To4() would see it: IPv4-mapped IPv6 is IPv4.
struct Addr {
  int family;
  const uint8_t* p;
};
Addr normalize(int family, const uint8_t* p) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (family == AF_INET6 && std::memcmp(p, kMapped, 12) == 0) return {AF_INET, p + 12};
  return {family, p};
}

bool contains(const CtFilter::Net& n, int family, bool present, const uint8_t* p) {
  if (!present) return false;  // Contains(nil) is false
  Addr a = normalize(family, p);
  if (a.family != n.family) return false;
  unsigned full = n.prefix / 8, rest = n.prefix % 8;
  if (std::memcmp(a.p, n.addr, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.p[full] & mask) == (n.addr[full] & mask);
}

bool bytes_contain(const uint8_t* hay, size_t n, const std::vector<uint8_t>& needle) {
  if (needle.empty()) return true;
  return std::search(hay, hay + n, needle.begin(), needle.end()) != hay + n;
}

}  // namespace

bool decode_filters(const uint8_t* p, size_t n, CtFilterSet* out, std::string* why) {
  Reader r(p, n);
  uint32_t magic, count;
  if (!r.get(&magic) || magic != kMagic) return fail(why, "bad magic");
  if (!r.get(&count) || count > kMaxFilters) return fail(why, "bad filter count");
  out->filters.resize(count);
  for (uint32_t i = 0; i < count; i++)
    if (!decode_one(r, &out->filters[i], why)) return false;
  if (r.left() != 0) return fail(why, "trailing bytes");
  return true;
}

bool CtFilter::match(const CtFlow& f) const {
  if (conditions == 0) return false;  // an empty filter matches nothing
  if (proto >= 0 && f.orig.proto != proto) return false;
  if (zone >= 0 && f.zone != zone) return false;
  if (has_mark && ((f.has_mark ? f.mark : 0) & mark_mask) != mark) return false;
  if (has_status[0] && (f.status & status[0]) != status[0]) return false;
  if (has_status[1] && (f.status & status[1]) != 0) return false;
  const int fam = f.family;
  if (ip[kOrigSrcIP].set && !contains(ip[kOrigSrcIP], fam, f.orig.has_src, f.orig.src))
    return false;
  if (ip[kOrigDstIP].set && !contains(ip[kOrigDstIP], fam, f.orig.has_dst, f.orig.dst))
    return false;
  if (ip[kReplySrcIP].set && !contains(ip[kReplySrcIP], fam, f.reply.has_src, f.reply.src))
    return false;
  if (ip[kReplyDstIP].set && !contains(ip[kReplyDstIP], fam, f.reply.has_dst, f.reply.dst))
    return false;
  if (ip[kReplyAnyIP].set && !contains(ip[kReplyAnyIP], fam, f.reply.has_src, f.reply.src) &&
      !contains(ip[kReplyAnyIP], fam, f.reply.has_dst, f.reply.dst))
    return false;
  // A flow without ports compares as port 0, as in vishvananda.
  if (port[0] >= 0 && (f.orig.has_sport ? f.orig.sport : 0) != port[0]) return false;
  if (port[1] >= 0 && (f.orig.has_dport ? f.orig.dport : 0) != port[1]) return false;
  if (has_labels[0] || has_labels[1]) {
    // A flow without labels neither contains nor lacks any label.
    if (f.labels == nullptr || f.labels_len == 0) return false;
    for (const auto& l : labels[0])
      if (!bytes_contain(f.labels, f.labels_len, l)) return false;
    for (const auto& l : labels[1])
      if (bytes_contain(f.labels, f.labels_len, l)) return false;
  }
  return true;
}

}  // namespace nlw
