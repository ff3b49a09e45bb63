// See conntrack_bpf.h. The program walks the event's attributes with the
// kernel's netlink BPF extensions: SKF_AD_NLATTR (A = offset to search
// from, X = attribute type -> A = the attribute's offset, 0 when absent)
// and SKF_AD_NLATTR_NEST (A = a nest's offset, X = type -> A = the nested
// attribute's offset). Loads are big-endian, as ctnetlink's payloads are.
#include "conntrack_bpf.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstdint>
#include <initializer_list>

namespace nlw {
namespace {

constexpr uint32_t kAttrs = NLMSG_HDRLEN + sizeof(nfgenmsg);  // the first CTA_* attribute
constexpr uint32_t kFamily = NLMSG_HDRLEN;                    // nfgen_family
// nlmsg_type is in host order: its high byte is the subsystem.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr uint32_t kSubsys = 5;
#else
constexpr uint32_t kSubsys = 4;
#endif
// 8 KiB of instructions: attaching needs that much of net.core.optmem_max,
// whose smallest default (20 KiB on older kernels) it stays well under.
constexpr size_t kMaxInsns = 1024;

// A few instructions with named forward labels; jumps are resolved at the
// end and the program is refused when a conditional jump is out of reach.
class Asm {
 public:
  int label() {
    at_.push_back(-1);
    return static_cast<int>(at_.size()) - 1;
  }
  void bind(int l) { at_[l] = static_cast<long>(code_.size()); }
  void op(uint16_t code, uint32_t k) { code_.push_back(BPF_STMT(code, k)); }
  // To `yes` when the test holds, else to `no`; -1: the next instruction.
  void jump(uint16_t test, uint32_t k, int yes, int no) {
    fixes_.push_back({code_.size(), yes, no, false});
    code_.push_back(BPF_JUMP(BPF_JMP | test | BPF_K, k, 0, 0));
  }
  void go(int l) {
    fixes_.push_back({code_.size(), l, -1, true});
    code_.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
  }
  bool finish(std::vector<sock_filter>* out) {
    for (const Fix& f : fixes_) {
      long next = static_cast<long>(f.at) + 1;
      if (f.always) {
        code_[f.at].k = static_cast<uint32_t>(at_[f.yes] - next);
        continue;
      }
      long yes = f.yes < 0 ? 0 : at_[f.yes] - next;
      long no = f.no < 0 ? 0 : at_[f.no] - next;
      if (yes < 0 || yes > 255 || no < 0 || no > 255) return false;
      code_[f.at].jt = static_cast<uint8_t>(yes);
      code_[f.at].jf = static_cast<uint8_t>(no);
    }
    if (code_.size() > kMaxInsns) return false;
    *out = std::move(code_);
    return true;
  }

 private:
  struct Fix {
    size_t at;
    int yes, no;
    bool always;
  };
  std::vector<sock_filter> code_;
  std::vector<long> at_;
  std::vector<Fix> fixes_;
};

// A = the payload (size BPF_B/H/W) of the attribute at `path` (top level
// first, then nested), or a jump to `missing` when any step is absent.
void load(Asm& a, std::initializer_list<uint16_t> path, uint16_t size, int missing) {
  bool top = true;
  for (uint16_t type : path) {
    if (top) a.op(BPF_LD | BPF_IMM, kAttrs);
    a.op(BPF_LDX | BPF_IMM, type);
    a.op(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + (top ? SKF_AD_NLATTR : SKF_AD_NLATTR_NEST));
    a.jump(BPF_JEQ, 0, missing, -1);
    top = false;
  }
  a.op(BPF_MISC | BPF_TAX, 0);
  a.op(BPF_LD | size | BPF_IND, NLA_HDRLEN);
}

// As load(), with 0 for an absent attribute (what the matcher reads then).
void load_or_zero(Asm& a, std::initializer_list<uint16_t> path, uint16_t size) {
  int zero = a.label(), have = a.label();
  load(a, path, size, zero);
  a.go(have);
  a.bind(zero);
  a.op(BPF_LD | BPF_IMM, 0);
  a.bind(have);
}

uint32_t be_word(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// An IPv4 network condition on an address attribute; jumps to `fail` when
// it surely fails, falls through (or reaches `done`) otherwise.
void ipv4_in(Asm& a, uint16_t tuple, uint16_t which, const CtFilter::Net& n, int missing, int done,
             int fail) {
  load(a, {tuple, CTA_TUPLE_IP, which}, BPF_W, missing);
  uint32_t mask = n.prefix == 0 ? 0 : ~uint32_t{0} << (32 - n.prefix);
  a.op(BPF_ALU | BPF_AND | BPF_K, mask);
  a.jump(BPF_JEQ, be_word(n.addr) & mask, done, fail);
}

bool expressible(const CtFilter& f, int family) {
  if (f.proto >= 0 || f.zone >= 0 || f.has_mark || f.has_status[0] || f.has_status[1] ||
      f.port[0] >= 0 || f.port[1] >= 0)
    return true;
  if (family == AF_INET6) return false;
  for (const CtFilter::Net& n : f.ip)
    if (n.set && n.family == AF_INET) return true;
  return false;
}

// One filter's conditions: every one that fails jumps to `fail`.
void conditions(Asm& a, const CtFilter& f, int family, int fail) {
  if (f.proto >= 0) {
    load(a, {CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, CTA_PROTO_NUM}, BPF_B, fail);
    a.jump(BPF_JEQ, static_cast<uint32_t>(f.proto), -1, fail);
  }
  if (f.zone >= 0) {
    load_or_zero(a, {CTA_ZONE}, BPF_H);
    a.jump(BPF_JEQ, static_cast<uint32_t>(f.zone), -1, fail);
  }
  if (f.has_mark) {
    load_or_zero(a, {CTA_MARK}, BPF_W);
    a.op(BPF_ALU | BPF_AND | BPF_K, f.mark_mask);
    a.jump(BPF_JEQ, f.mark, -1, fail);
  }
  if (f.has_status[0]) {
    load_or_zero(a, {CTA_STATUS}, BPF_W);
    a.op(BPF_ALU | BPF_AND | BPF_K, f.status[0]);
    a.jump(BPF_JEQ, f.status[0], -1, fail);
  }
  if (f.has_status[1]) {
    load_or_zero(a, {CTA_STATUS}, BPF_W);
    a.jump(BPF_JSET, f.status[1], fail, -1);
  }
  const uint16_t port_attr[2] = {CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT};
  for (int k = 0; k < 2; k++) {
    if (f.port[k] < 0) continue;
    load_or_zero(a, {CTA_TUPLE_ORIG, CTA_TUPLE_PROTO, port_attr[k]}, BPF_H);
    a.jump(BPF_JEQ, static_cast<uint32_t>(f.port[k]), -1, fail);
  }
  // IPv4 networks, on IPv4 flows only (see conntrack_bpf.h).
  if (family == AF_INET6) return;
  struct Where {
    uint16_t tuple, which;
  };
  const Where where[4] = {{CTA_TUPLE_ORIG, CTA_IP_V4_SRC},
                          {CTA_TUPLE_ORIG, CTA_IP_V4_DST},
                          {CTA_TUPLE_REPLY, CTA_IP_V4_SRC},
                          {CTA_TUPLE_REPLY, CTA_IP_V4_DST}};
  for (int t = 0; t < 5; t++) {
    const CtFilter::Net& n = f.ip[t];
    if (!n.set || n.family != AF_INET) continue;
    int done = a.label();
    if (family != AF_INET) {
      a.op(BPF_LD | BPF_B | BPF_ABS, kFamily);
      a.jump(BPF_JEQ, AF_INET, -1, done);
    }
    if (t < 4) {
      ipv4_in(a, where[t].tuple, where[t].which, n, fail, done, fail);
    } else {
      // ReplyAnyIP: the reply's source or its destination.
      int dst = a.label();
      ipv4_in(a, CTA_TUPLE_REPLY, CTA_IP_V4_SRC, n, dst, done, dst);
      a.bind(dst);
      ipv4_in(a, CTA_TUPLE_REPLY, CTA_IP_V4_DST, n, fail, done, fail);
    }
    a.bind(done);
  }
}

}  // namespace

std::vector<sock_filter> conntrack_event_bpf(int family, const CtFilterSet* filters) {
  bool filtering = filters != nullptr;
  if (filtering)
    for (const CtFilter& f : filters->filters)
      if (f.conditions > 0 && !expressible(f, family)) {
        // This filter passes every flow of the family: the kernel can only
        // check the family.
        filtering = false;
        break;
      }
  if (family == 0 && !filtering) return {};
  Asm a;
  int accept = a.label(), reject = a.label();
  if (family != 0) {
    a.op(BPF_LD | BPF_B | BPF_ABS, kFamily);
    a.jump(BPF_JEQ, static_cast<uint32_t>(family), -1, reject);
  }
  if (filtering) {
    // Flows only; expectations and anything else go to the native filter.
    a.op(BPF_LD | BPF_B | BPF_ABS, kSubsys);
    a.jump(BPF_JEQ, NFNL_SUBSYS_CTNETLINK, -1, accept);
    for (const CtFilter& f : filters->filters) {
      if (f.conditions == 0) continue;  // matches nothing
      int next = a.label();
      conditions(a, f, family, next);
      a.go(accept);
      a.bind(next);
    }
    a.go(reject);
  } else {
    a.go(accept);
  }
  a.bind(reject);
  a.op(BPF_RET | BPF_K, 0);
  a.bind(accept);
  a.op(BPF_RET | BPF_K, 0xffffffff);
  std::vector<sock_filter> out;
  if (!a.finish(&out)) return {};
  return out;
}

}  // namespace nlw
