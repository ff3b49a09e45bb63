// ct-insert: a fast conntrack fixture builder for nlwrap's tests and
// benchmark, independent of nlwrap's own code. It reads one flow or
// expectation per line on stdin and creates them over ctnetlink, packing
// many IPCTNL_MSG_CT_NEW / IPCTNL_MSG_EXP_NEW messages into each sendmsg()
// (NLM_F_ACK with NETLINK_CAP_ACK; the acks are drained per batch). Run it
// inside the namespace: `ip netns exec NS build/ct-insert < spec`.
//
// It also makes what conntrack-tools 1.4.7 cannot: flows with labels (the
// kernel keeps them only once a rule in the namespace uses `ct label`),
// flows with a helper, and expectations (whose master needs a helper).
//
// It also changes and deletes flows (`upd`, `del`): the conntrack event
// tests and the event storm benchmark drive ctnetlink's update and destroy
// events with it.
//
// Line grammar (key=value, whitespace separated; '#' starts a comment):
//   ct  family=4|6 proto=N src=IP dst=IP [sport=N dport=N]
//       [rsrc=IP rdst=IP rsport=N rdport=N]   (default: the swapped tuple)
//       [icmptype=N icmpcode=N icmpid=N]      (reply type: echo reply)
//       [mark=N] [zone=N] [timeout=S] [status=N] [tcpstate=N]
//       [labels=32 hex digits] [helper=NAME]
//   exp family=4|6 proto=N src=IP dst=IP sport=N dport=N   (the master)
//       esrc=IP edst=IP esport=N edport=N [eproto=N]       (expected)
//       [timeout=S] [zone=N] [helper=NAME] [flags=N] [class=N]
//   upd family=4|6 proto=N src=IP dst=IP [sport=N dport=N] [icmp...] [zone=N]
//       [mark=N] [timeout=S] [status=N] [tcpstate=N] [labels=...]
//       (IPCTNL_MSG_CT_NEW without NLM_F_CREATE: only what is given changes)
//   del family=4|6 proto=N src=IP dst=IP [sport=N dport=N] [icmp...] [zone=N]
//       (IPCTNL_MSG_CT_DELETE by original tuple)
// Exit status: 0 when every object was created; 1 otherwise (each failure
// is reported on stderr with its line number and errno).
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH_BYTES (60 * 1024)
#define MAX_LINE 1024

static int fd;
static uint8_t batch[BATCH_BYTES + 4096];
static size_t used;
static uint32_t first_seq, next_seq = 1;
static int line_of_seq[BATCH_BYTES / 64 + 16];
static int failures;

// ---- message building ----
static uint8_t msg[4096];
static size_t mlen;
static size_t nests[8];
static int depth;

static void put(const void *p, size_t n) {
  memcpy(msg + mlen, p, n);
  mlen += NLMSG_ALIGN(n);
}
static void attr(uint16_t type, const void *p, size_t n) {
  struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type};
  memcpy(msg + mlen, &a, sizeof a);
  memset(msg + mlen + NLA_HDRLEN, 0, NLA_ALIGN(n));
  if (n) memcpy(msg + mlen + NLA_HDRLEN, p, n);
  mlen += NLA_HDRLEN + NLA_ALIGN(n);
}
static void u8a(uint16_t t, uint8_t v) {
  attr(t, &v, 1);
}
static void be16a(uint16_t t, uint16_t v) {
  v = htons(v);
  attr(t, &v, 2);
}
static void be32a(uint16_t t, uint32_t v) {
  v = htonl(v);
  attr(t, &v, 4);
}
static void nest(uint16_t t) {
  nests[depth++] = mlen;
  attr(t | NLA_F_NESTED, NULL, 0);
}
static void end(void) {
  size_t at = nests[--depth];
  struct nlattr a;
  memcpy(&a, msg + at, sizeof a);
  a.nla_len = (uint16_t)(mlen - at);
  memcpy(msg + at, &a, sizeof a);
}

// ---- the spec ----
struct tuple {
  uint8_t src[16], dst[16];
  int has_src, has_dst;
  int proto, sport, dport, itype, icode, iid;
};
enum kind { KIND_CT, KIND_EXP, KIND_UPD, KIND_DEL };
struct spec {
  int exp, family;
  enum kind kind;
  int has_timeout, has_status;
  struct tuple t, r, e;
  int has_r;
  long long mark, zone, timeout, status, tcpstate, flags, klass;
  char labels[33], helper[32];
};

static int parse_ip(int family, const char *s, uint8_t *out) {
  return inet_pton(family == 6 ? AF_INET6 : AF_INET, s, out) == 1;
}

static int parse_line(char *line, struct spec *s, int lineno) {
  memset(s, 0, sizeof *s);
  s->t.sport = s->t.dport = s->t.itype = s->t.icode = s->t.iid = -1;
  s->r = s->t;
  s->e = s->t;
  s->e.proto = -1;
  s->r.proto = -1;
  s->mark = s->zone = s->tcpstate = s->flags = s->klass = -1;
  s->timeout = 86400;
  // IPS_CONFIRMED is needed or the kernel answers EBUSY; SEEN_REPLY and
  // ASSURED keep the entry from being evicted early.
  s->status = 8 | 2 | 4;
  char *save = NULL;
  char *tok = strtok_r(line, " \t\r\n", &save);
  if (!tok || tok[0] == '#') return 0;
  if (strcmp(tok, "ct") == 0)
    s->kind = KIND_CT;
  else if (strcmp(tok, "exp") == 0)
    s->kind = KIND_EXP, s->exp = 1;
  else if (strcmp(tok, "upd") == 0)
    s->kind = KIND_UPD;
  else if (strcmp(tok, "del") == 0)
    s->kind = KIND_DEL;
  else {
    fprintf(stderr, "line %d: unknown kind %s\n", lineno, tok);
    return -1;
  }
  struct {
    const char *k;
    char *v;
  } kv[40];
  int n = 0;
  while ((tok = strtok_r(NULL, " \t\r\n", &save)) && n < 40) {
    char *eq = strchr(tok, '=');
    if (!eq) {
      fprintf(stderr, "line %d: bad token %s\n", lineno, tok);
      return -1;
    }
    *eq = 0;
    kv[n].k = tok;
    kv[n++].v = eq + 1;
  }
  for (int i = 0; i < n; i++)
    if (strcmp(kv[i].k, "family") == 0) s->family = atoi(kv[i].v);
  if (s->family != 4 && s->family != 6) {
    fprintf(stderr, "line %d: family must be 4 or 6\n", lineno);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    const char *k = kv[i].k, *v = kv[i].v;
    long long x = strtoll(v, NULL, 0);
    int ok = 1;
    if (!strcmp(k, "family"))
      continue;
    else if (!strcmp(k, "proto"))
      s->t.proto = (int)x;
    else if (!strcmp(k, "src"))
      ok = s->t.has_src = parse_ip(s->family, v, s->t.src);
    else if (!strcmp(k, "dst"))
      ok = s->t.has_dst = parse_ip(s->family, v, s->t.dst);
    else if (!strcmp(k, "sport"))
      s->t.sport = (int)x;
    else if (!strcmp(k, "dport"))
      s->t.dport = (int)x;
    else if (!strcmp(k, "icmptype"))
      s->t.itype = (int)x;
    else if (!strcmp(k, "icmpcode"))
      s->t.icode = (int)x;
    else if (!strcmp(k, "icmpid"))
      s->t.iid = (int)x;
    else if (!strcmp(k, "rsrc")) {
      ok = s->r.has_src = parse_ip(s->family, v, s->r.src);
      s->has_r = 1;
    } else if (!strcmp(k, "rdst")) {
      ok = s->r.has_dst = parse_ip(s->family, v, s->r.dst);
      s->has_r = 1;
    } else if (!strcmp(k, "rsport")) {
      s->r.sport = (int)x;
      s->has_r = 1;
    } else if (!strcmp(k, "rdport")) {
      s->r.dport = (int)x;
      s->has_r = 1;
    } else if (!strcmp(k, "esrc"))
      ok = s->e.has_src = parse_ip(s->family, v, s->e.src);
    else if (!strcmp(k, "edst"))
      ok = s->e.has_dst = parse_ip(s->family, v, s->e.dst);
    else if (!strcmp(k, "esport"))
      s->e.sport = (int)x;
    else if (!strcmp(k, "edport"))
      s->e.dport = (int)x;
    else if (!strcmp(k, "eproto"))
      s->e.proto = (int)x;
    else if (!strcmp(k, "mark"))
      s->mark = x;
    else if (!strcmp(k, "zone"))
      s->zone = x;
    else if (!strcmp(k, "timeout"))
      s->timeout = x, s->has_timeout = 1;
    else if (!strcmp(k, "status"))
      s->status = x, s->has_status = 1;
    else if (!strcmp(k, "tcpstate"))
      s->tcpstate = x;
    else if (!strcmp(k, "flags"))
      s->flags = x;
    else if (!strcmp(k, "class"))
      s->klass = x;
    else if (!strcmp(k, "labels") && strlen(v) == 32)
      strcpy(s->labels, v);
    else if (!strcmp(k, "helper") && strlen(v) < sizeof s->helper)
      strcpy(s->helper, v);
    else
      ok = 0;
    if (!ok) {
      fprintf(stderr, "line %d: bad %s=%s\n", lineno, k, v);
      return -1;
    }
  }
  if (!s->t.has_src || !s->t.has_dst || s->t.proto < 0) {
    fprintf(stderr, "line %d: src, dst and proto are required\n", lineno);
    return -1;
  }
  return 1;
}

static int is_icmp(int proto) {
  return proto == 1 || proto == 58;
}

static void put_tuple(uint16_t type, int family, const struct tuple *t) {
  size_t alen = family == 6 ? 16 : 4;
  nest(type);
  nest(CTA_TUPLE_IP);
  attr(family == 6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, t->src, alen);
  attr(family == 6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, t->dst, alen);
  end();
  nest(CTA_TUPLE_PROTO);
  u8a(CTA_PROTO_NUM, (uint8_t)t->proto);
  if (is_icmp(t->proto)) {
    int v6 = t->proto == 58;
    be16a(v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, (uint16_t)(t->iid < 0 ? 0 : t->iid));
    u8a(v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, (uint8_t)t->itype);
    u8a(v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, (uint8_t)(t->icode < 0 ? 0 : t->icode));
  } else {
    if (t->sport >= 0) be16a(CTA_PROTO_SRC_PORT, (uint16_t)t->sport);
    if (t->dport >= 0) be16a(CTA_PROTO_DST_PORT, (uint16_t)t->dport);
  }
  end();
  end();
}

static void put_labels(const char *hex) {
  uint8_t l[16];
  for (int i = 0; i < 16; i++) {
    char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
    l[i] = (uint8_t)strtoul(b, NULL, 16);
  }
  attr(CTA_LABELS, l, 16);
}

// upd / del: the flow named by its original tuple (and zone); an update
// carries only what the line gives.
static void build_change(const struct spec *s) {
  struct nlmsghdr h = {0};
  struct nfgenmsg g = {.nfgen_family = s->family == 6 ? AF_INET6 : AF_INET,
                       .version = NFNETLINK_V0};
  mlen = 0;
  depth = 0;
  h.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
                 (s->kind == KIND_DEL ? IPCTNL_MSG_CT_DELETE : IPCTNL_MSG_CT_NEW);
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  put(&h, sizeof h);
  put(&g, sizeof g);
  put_tuple(CTA_TUPLE_ORIG, s->family, &s->t);
  if (s->zone >= 0) be16a(CTA_ZONE, (uint16_t)s->zone);
  if (s->kind == KIND_UPD) {
    if (s->has_status) be32a(CTA_STATUS, (uint32_t)s->status);
    if (s->has_timeout) be32a(CTA_TIMEOUT, (uint32_t)s->timeout);
    if (s->mark >= 0) be32a(CTA_MARK, (uint32_t)s->mark);
    if (s->tcpstate >= 0) {
      nest(CTA_PROTOINFO);
      nest(CTA_PROTOINFO_TCP);
      u8a(CTA_PROTOINFO_TCP_STATE, (uint8_t)s->tcpstate);
      end();
      end();
    }
    if (s->labels[0]) put_labels(s->labels);
  }
  struct nlmsghdr *hp = (struct nlmsghdr *)msg;
  hp->nlmsg_len = (uint32_t)mlen;
}

static void build(const struct spec *s) {
  if (s->kind == KIND_UPD || s->kind == KIND_DEL) {
    build_change(s);
    return;
  }
  struct nlmsghdr h = {0};
  struct nfgenmsg g = {.nfgen_family = s->family == 6 ? AF_INET6 : AF_INET,
                       .version = NFNETLINK_V0};
  mlen = 0;
  depth = 0;
  h.nlmsg_type = s->exp ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW
                        : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  put(&h, sizeof h);
  put(&g, sizeof g);
  if (!s->exp) {
    struct tuple r = s->r;
    if (!s->has_r) {
      memcpy(r.src, s->t.dst, 16);
      memcpy(r.dst, s->t.src, 16);
      r.sport = s->t.dport;
      r.dport = s->t.sport;
    } else {
      if (!r.has_src) memcpy(r.src, s->t.dst, 16);
      if (!r.has_dst) memcpy(r.dst, s->t.src, 16);
      if (r.sport < 0) r.sport = s->t.dport;
      if (r.dport < 0) r.dport = s->t.sport;
    }
    r.proto = s->t.proto;
    r.iid = s->t.iid;
    r.icode = s->t.icode;
    // Echo request 8 -> reply 0; ICMPv6 128 -> 129.
    r.itype = s->t.itype == 8 ? 0 : s->t.itype == 128 ? 129 : s->t.itype;
    put_tuple(CTA_TUPLE_ORIG, s->family, &s->t);
    put_tuple(CTA_TUPLE_REPLY, s->family, &r);
    be32a(CTA_STATUS, (uint32_t)s->status);
    be32a(CTA_TIMEOUT, (uint32_t)s->timeout);
    if (s->mark >= 0) be32a(CTA_MARK, (uint32_t)s->mark);
    if (s->zone >= 0) be16a(CTA_ZONE, (uint16_t)s->zone);
    if (s->t.proto == 6) {
      nest(CTA_PROTOINFO);
      nest(CTA_PROTOINFO_TCP);
      u8a(CTA_PROTOINFO_TCP_STATE, (uint8_t)(s->tcpstate < 0 ? 3 : s->tcpstate));
      end();
      end();
    }
    if (s->labels[0]) put_labels(s->labels);
    if (s->helper[0]) {
      nest(CTA_HELP);
      attr(CTA_HELP_NAME, s->helper, strlen(s->helper) + 1);
      end();
    }
  } else {
    struct tuple e = s->e, m;
    if (e.proto < 0) e.proto = s->t.proto;
    memset(&m, 0, sizeof m);
    memset(m.src, 0xff, 16);
    memset(m.dst, 0xff, 16);
    m.proto = e.proto;
    m.sport = 0;  // any source port
    m.dport = 0xffff;
    put_tuple(CTA_EXPECT_MASTER, s->family, &s->t);
    put_tuple(CTA_EXPECT_TUPLE, s->family, &e);
    put_tuple(CTA_EXPECT_MASK, s->family, &m);
    be32a(CTA_EXPECT_TIMEOUT, (uint32_t)s->timeout);
    if (s->zone >= 0) be16a(CTA_EXPECT_ZONE, (uint16_t)s->zone);
    if (s->flags >= 0) be32a(CTA_EXPECT_FLAGS, (uint32_t)s->flags);
    if (s->klass >= 0) be32a(CTA_EXPECT_CLASS, (uint32_t)s->klass);
    if (s->helper[0]) attr(CTA_EXPECT_HELP_NAME, s->helper, strlen(s->helper) + 1);
  }
  struct nlmsghdr *hp = (struct nlmsghdr *)msg;
  hp->nlmsg_len = (uint32_t)mlen;
}

// Sends the batch and reads one ack per message.
static void flush(void) {
  if (used == 0) return;
  if (send(fd, batch, used, 0) != (ssize_t)used) {
    perror("send");
    exit(2);
  }
  uint32_t want = next_seq - first_seq, got = 0;
  static uint8_t in[1 << 16];
  while (got < want) {
    ssize_t n = recv(fd, in, sizeof in, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("recv");
      exit(2);
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)in; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      const struct nlmsgerr *e = NLMSG_DATA(h);
      uint32_t k = h->nlmsg_seq - first_seq;
      if (k >= want) continue;
      got++;
      if (e->error != 0) {
        fprintf(stderr, "line %d: %s\n", line_of_seq[k], strerror(-e->error));
        failures++;
      }
    }
  }
  used = 0;
  first_seq = next_seq;
}

int main(void) {
  fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) {
    perror("socket");
    return 2;
  }
  int one = 1, big = 8 << 20;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    perror("bind");
    return 2;
  }
  char line[MAX_LINE];
  int lineno = 0;
  first_seq = next_seq;
  while (fgets(line, sizeof line, stdin)) {
    lineno++;
    struct spec s;
    int r = parse_line(line, &s, lineno);
    if (r < 0) {
      failures++;
      continue;
    }
    if (r == 0) continue;
    build(&s);
    // An expectation goes in a batch after its master's: created in the same
    // sendmsg as its master, an IPv6 expectation was acked but not kept.
    if (s.exp || used + mlen > BATCH_BYTES ||
        next_seq - first_seq >= sizeof line_of_seq / sizeof line_of_seq[0])
      flush();
    struct nlmsghdr *hp = (struct nlmsghdr *)msg;
    hp->nlmsg_seq = next_seq;
    line_of_seq[next_seq - first_seq] = lineno;
    next_seq++;
    memcpy(batch + used, msg, mlen);
    used += NLMSG_ALIGN(mlen);
  }
  flush();
  return failures ? 1 : 0;
}
