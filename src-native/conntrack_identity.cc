// The 52-byte flow identity codec (conntrack_identity.h).
#include "conntrack_identity.h"

#include <sys/socket.h>

#include <cstring>

namespace nlw {
namespace {

// Presence flags, mirrored in lib/conntrack-wire.ts's encodeIdentities.
enum IdentFlags : uint16_t {
  kISport = 1,
  kIDport = 2,
  kIIcmpId = 4,
  kIIcmpType = 8,
  kIIcmpCode = 16,
  kITupleZone = 32,
  kIZone = 64,
  kIId = 128,
  kISrc = 256,
  kIDst = 512,
  kIProto = 1024,
};

}  // namespace

void encode_identity(const CtFlow& f, uint8_t* b) {
  const CtTuple& t = f.table == 2 ? f.reply : f.orig;
  std::memset(b, 0, kCtIdentitySize);
  uint16_t flags = (t.has_sport ? kISport : 0) | (t.has_dport ? kIDport : 0) |
                   (t.has_icmp_id ? kIIcmpId : 0) | (t.has_icmp_type ? kIIcmpType : 0) |
                   (t.has_icmp_code ? kIIcmpCode : 0) | (t.zone >= 0 ? kITupleZone : 0) |
                   (f.has_zone ? kIZone : 0) | (f.has_id ? kIId : 0) | (t.has_src ? kISrc : 0) |
                   (t.has_dst ? kIDst : 0) | (t.proto >= 0 ? kIProto : 0);
  uint16_t tz = t.zone >= 0 ? static_cast<uint16_t>(t.zone) : 0;
  b[0] = f.family;
  b[1] = static_cast<uint8_t>(t.proto >= 0 ? t.proto : 0);
  std::memcpy(b + 2, &flags, 2);
  std::memcpy(b + 4, &t.sport, 2);
  std::memcpy(b + 6, &t.dport, 2);
  std::memcpy(b + 8, &t.icmp_id, 2);
  b[10] = t.icmp_type;
  b[11] = t.icmp_code;
  std::memcpy(b + 12, &tz, 2);
  std::memcpy(b + 14, &f.zone, 2);
  std::memcpy(b + 16, &f.id, 4);
  std::memcpy(b + 20, t.src, 16);
  std::memcpy(b + 36, t.dst, 16);
}

bool decode_identity(const uint8_t* b, CtFlow* f, std::string* why) {
  uint16_t flags;
  std::memcpy(&flags, b + 2, 2);
  CtTuple t;
  f->family = b[0];
  if (f->family != AF_INET && f->family != AF_INET6) {
    *why = "flow identity with a family that is neither IPv4 nor IPv6";
    return false;
  }
  t.proto = flags & kIProto ? b[1] : -1;
  t.has_sport = flags & kISport;
  t.has_dport = flags & kIDport;
  t.has_icmp_id = flags & kIIcmpId;
  t.has_icmp_type = flags & kIIcmpType;
  t.has_icmp_code = flags & kIIcmpCode;
  t.has_src = flags & kISrc;
  t.has_dst = flags & kIDst;
  std::memcpy(&t.sport, b + 4, 2);
  std::memcpy(&t.dport, b + 6, 2);
  std::memcpy(&t.icmp_id, b + 8, 2);
  t.icmp_type = b[10];
  t.icmp_code = b[11];
  uint16_t tz;
  std::memcpy(&tz, b + 12, 2);
  if (flags & kITupleZone) t.zone = tz;
  f->has_zone = flags & kIZone;
  std::memcpy(&f->zone, b + 14, 2);
  f->has_id = flags & kIId;
  std::memcpy(&f->id, b + 16, 4);
  std::memcpy(t.src, b + 20, 16);
  std::memcpy(t.dst, b + 36, 16);
  if (f->table == 2)
    f->reply = t;
  else
    f->orig = t;
  return true;
}

}  // namespace nlw
