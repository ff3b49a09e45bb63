// ct-fill: fills the conntrack table of one network namespace with COUNT
// synthetic flows through ctnetlink, many IPCTNL_MSG_CT_NEW per sendmsg().
//
//   ct-fill /var/run/netns/NAME COUNT [BATCH]
//
// One `conntrack -I` process per flow costs ~5 ms; packing a few thousand
// CT_NEW messages into one datagram inserts 200 000 flows in under a second
// (measured on this project's machines). Kernel facts this relies on:
// - a flow created from userspace must carry IPS_CONFIRMED in CTA_STATUS, or
//   ctnetlink answers EBUSY; SEEN_REPLY|ASSURED and a long CTA_TIMEOUT keep it
//   from being evicted or timing out during the benchmark;
// - the nfgenmsg family is the flow's L3 family (the tuples are parsed by it);
// - with NETLINK_CAP_ACK the acks carry only the request's header, so the
//   acks of a whole batch fit in a small receive buffer.
// Flow i: IPv6 when i % 4 == 3, else IPv4; TCP (ESTABLISHED) when i / 4 is
// even, else UDP; a distinct source address per flow; mark i % 100 (so each mark
// value selects 1% of the flows, which the delete benchmark uses).
// Self-contained (no libmnl) so the fixture never depends on a peer building.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define MSG_MAX 256  // one CT_NEW message is well under this

struct buf {
  uint8_t* p;
  size_t len;
};

static void* put(struct buf* b, const void* data, size_t n) {
  uint8_t* at = b->p + b->len;
  memcpy(at, data, n);
  size_t pad = NLA_ALIGN(n) - n;
  memset(at + n, 0, pad);
  b->len += NLA_ALIGN(n);
  return at;
}

static void attr(struct buf* b, uint16_t type, const void* data, size_t n) {
  struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type};
  put(b, &a, sizeof a);
  put(b, data, n);
}

static size_t nest_begin(struct buf* b, uint16_t type) {
  size_t at = b->len;
  struct nlattr a = {.nla_len = 0, .nla_type = (uint16_t)(type | NLA_F_NESTED)};
  put(b, &a, sizeof a);
  return at;
}

static void nest_end(struct buf* b, size_t at) {
  ((struct nlattr*)(b->p + at))->nla_len = (uint16_t)(b->len - at);
}

static void tuple(struct buf* b, uint16_t type, int v6, const void* src, const void* dst,
                  uint8_t proto, uint16_t sport, uint16_t dport) {
  size_t t = nest_begin(b, type);
  size_t ip = nest_begin(b, CTA_TUPLE_IP);
  attr(b, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, src, v6 ? 16 : 4);
  attr(b, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, dst, v6 ? 16 : 4);
  nest_end(b, ip);
  size_t pr = nest_begin(b, CTA_TUPLE_PROTO);
  attr(b, CTA_PROTO_NUM, &proto, 1);
  uint16_t sp = htons(sport), dp = htons(dport);
  attr(b, CTA_PROTO_SRC_PORT, &sp, 2);
  attr(b, CTA_PROTO_DST_PORT, &dp, 2);
  nest_end(b, pr);
  nest_end(b, t);
}

static void flow(struct buf* b, uint32_t i, uint32_t seq) {
  int v6 = i % 4 == 3;
  uint8_t proto = (i / 4) % 2 == 0 ? IPPROTO_TCP : IPPROTO_UDP;
  uint8_t src[16] = {0}, dst[16] = {0};
  if (v6) {
    // fd00:1::<i high>:<i low> -> fd00:2::1
    src[0] = 0xfd, src[3] = 1;
    src[12] = (uint8_t)(i >> 24), src[13] = (uint8_t)(i >> 16), src[14] = (uint8_t)(i >> 8),
    src[15] = (uint8_t)i;
    dst[0] = 0xfd, dst[3] = 2, dst[15] = 1;
  } else {
    // 10.(64 + i>>16).(i>>8).(i) -> 10.200.0.1
    src[0] = 10, src[1] = (uint8_t)(64 + ((i >> 16) & 63)), src[2] = (uint8_t)(i >> 8),
    src[3] = (uint8_t)i;
    dst[0] = 10, dst[1] = 200, dst[3] = 1;
  }
  uint16_t sport = (uint16_t)(10000 + i % 50000), dport = proto == IPPROTO_TCP ? 80 : 53;

  size_t start = b->len;
  struct nlmsghdr h = {
      .nlmsg_len = 0,
      .nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
      .nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
      .nlmsg_seq = seq,
  };
  put(b, &h, sizeof h);
  struct nfgenmsg g = {
      .nfgen_family = v6 ? AF_INET6 : AF_INET, .version = NFNETLINK_V0, .res_id = 0};
  put(b, &g, sizeof g);
  tuple(b, CTA_TUPLE_ORIG, v6, src, dst, proto, sport, dport);
  tuple(b, CTA_TUPLE_REPLY, v6, dst, src, proto, dport, sport);
  uint32_t status = htonl(IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED);
  attr(b, CTA_STATUS, &status, 4);
  uint32_t timeout = htonl(86400);
  attr(b, CTA_TIMEOUT, &timeout, 4);
  uint32_t mark = htonl(i % 100);
  attr(b, CTA_MARK, &mark, 4);
  if (proto == IPPROTO_TCP) {
    size_t pi = nest_begin(b, CTA_PROTOINFO);
    size_t tcp = nest_begin(b, CTA_PROTOINFO_TCP);
    uint8_t state = TCP_CONNTRACK_ESTABLISHED;
    attr(b, CTA_PROTOINFO_TCP_STATE, &state, 1);
    nest_end(b, tcp);
    nest_end(b, pi);
  }
  ((struct nlmsghdr*)(b->p + start))->nlmsg_len = (uint32_t)(b->len - start);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: ct-fill NETNS_PATH COUNT [BATCH]\n");
    return 2;
  }
  uint32_t count = (uint32_t)strtoul(argv[2], NULL, 10);
  uint32_t batch = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 2000;
  if (batch == 0 || batch > 20000) batch = 2000;

  int nsfd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
    fprintf(stderr, "ct-fill: cannot enter %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  close(nsfd);

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) {
    perror("ct-fill: socket");
    return 1;
  }
  int one = 1, big = 16 << 20;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

  struct buf b = {.p = malloc((size_t)batch * MSG_MAX), .len = 0};
  size_t rcap = 1 << 20;
  uint8_t* rbuf = malloc(rcap);
  if (!b.p || !rbuf) return 1;

  uint32_t errors = 0, first_err = 0, seq = 1;
  for (uint32_t done = 0; done < count;) {
    uint32_t n = count - done < batch ? count - done : batch;
    b.len = 0;
    for (uint32_t k = 0; k < n; k++) flow(&b, done + k, seq + k);
    if (sendto(fd, b.p, b.len, 0, (struct sockaddr*)&kernel, sizeof kernel) != (ssize_t)b.len) {
      fprintf(stderr, "ct-fill: sendto: %s\n", strerror(errno));
      return 1;
    }
    uint32_t acked = 0;
    while (acked < n) {
      ssize_t r = recv(fd, rbuf, rcap, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "ct-fill: recv: %s\n", strerror(errno));
        return 1;
      }
      int len = (int)r;
      for (struct nlmsghdr* h = (struct nlmsghdr*)rbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < seq || h->nlmsg_seq >= seq + n) continue;
        int err = ((struct nlmsgerr*)NLMSG_DATA(h))->error;
        if (err != 0 && errors++ == 0) first_err = (uint32_t)-err;
        acked++;
      }
    }
    seq += n;
    done += n;
  }
  if (errors) {
    fprintf(stderr, "ct-fill: %u of %u inserts failed (first: %s)\n", errors, count,
            strerror((int)first_err));
    return 1;
  }
  printf("%u\n", count);
  return 0;
}
