// floor: the bare C cost of a netlink dump, the floor nlwrap is measured
// against (npm run bench). Per kind it dumps REPS times on a socket opened inside
// the namespace and, per dump, receives every datagram and walks each
// message's top-level attributes with mnl_attr_parse. No objects, no copies:
// what is left is the kernel's work plus the recv() and one pass over the bytes.
//
//   floor /var/run/netns/NAME REPS KIND...    KIND: links addrs routes xfrm conntrack
//
// Prints one JSON line per kind: {"kind","count","median_ms","bytes","recvs"}.
// The requests are the ones nlwrap sends: links with IFLA_EXT_MASK =
// RTEXT_FILTER_VF (as vishvananda does), AF_UNSPEC everywhere, routes of every
// table (an unfiltered RTM_GETROUTE dump returns all tables).
// A 1 MiB buffer per recv() and SO_RCVBUFFORCE of 4 MiB: the kernel fills a dump
// in chunks of at most ~32 KiB, so this keeps one recv() per chunk
// (measured on this project's machines). The walk is written out instead of
// mnl_cb_run because libmnl aborts a dump flagged NLM_F_DUMP_INTR with EINTR;
// a floor must read it to the end like every other peer.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct walk {
  uint64_t messages, attrs, bytes, recvs, interrupted;
};

static int count_attr(const struct nlattr* a, void* data) {
  (void)a;
  ((struct walk*)data)->attrs++;
  return MNL_CB_OK;
}

struct kind {
  const char* name;
  int protocol;
  uint16_t type;
  size_t hdrlen;  // family header before the attributes, in requests and replies
};

static const struct kind kinds[] = {
    {"links", NETLINK_ROUTE, RTM_GETLINK, sizeof(struct ifinfomsg)},
    {"addrs", NETLINK_ROUTE, RTM_GETADDR, sizeof(struct ifaddrmsg)},
    {"routes", NETLINK_ROUTE, RTM_GETROUTE, sizeof(struct rtmsg)},
    {"xfrm", NETLINK_XFRM, XFRM_MSG_GETPOLICY, sizeof(struct xfrm_userpolicy_info)},
    {"conntrack", NETLINK_NETFILTER, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
     sizeof(struct nfgenmsg)},
};

static size_t build(const struct kind* k, char* buf, uint32_t seq) {
  struct nlmsghdr* h = mnl_nlmsg_put_header(buf);
  h->nlmsg_type = k->type;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h->nlmsg_seq = seq;
  if (k->type == RTM_GETLINK) {
    struct ifinfomsg* ifi = mnl_nlmsg_put_extra_header(h, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_u32(h, IFLA_EXT_MASK, RTEXT_FILTER_VF);
  } else if (k->type == RTM_GETADDR) {
    struct ifaddrmsg* ifa = mnl_nlmsg_put_extra_header(h, sizeof *ifa);
    ifa->ifa_family = AF_UNSPEC;
  } else if (k->type == RTM_GETROUTE) {
    struct rtmsg* rtm = mnl_nlmsg_put_extra_header(h, sizeof *rtm);
    rtm->rtm_family = AF_UNSPEC;
  } else if (k->protocol == NETLINK_NETFILTER) {
    struct nfgenmsg* g = mnl_nlmsg_put_extra_header(h, sizeof *g);
    g->nfgen_family = AF_UNSPEC;
    g->version = NFNETLINK_V0;
  }
  // XFRM_MSG_GETPOLICY dumps take no payload (the kernel does not parse one).
  return h->nlmsg_len;
}

// One complete dump; returns 0 or an errno.
static int dump(struct mnl_socket* s, const struct kind* k, char* buf, size_t cap, uint32_t seq,
                struct walk* w) {
  size_t n = build(k, buf, seq);
  if (mnl_socket_sendto(s, buf, n) < 0) return errno;
  uint32_t portid = mnl_socket_get_portid(s);
  for (;;) {
    ssize_t r = mnl_socket_recvfrom(s, buf, cap);
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    w->recvs++;
    w->bytes += (uint64_t)r;
    int len = (int)r;
    for (const struct nlmsghdr* h = (const struct nlmsghdr*)buf; mnl_nlmsg_ok(h, len);
         h = mnl_nlmsg_next(h, &len)) {
      if (h->nlmsg_seq != seq || h->nlmsg_pid != portid) continue;
      if (h->nlmsg_flags & NLM_F_DUMP_INTR) w->interrupted++;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr* e = mnl_nlmsg_get_payload(h);
        return e->error ? -e->error : EPROTO;
      }
      w->messages++;
      if (mnl_attr_parse(h, (unsigned)k->hdrlen, count_attr, w) < 0) return EBADMSG;
    }
  }
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: floor NETNS_PATH REPS KIND...  (links addrs routes xfrm conntrack)\n");
    return 2;
  }
  int reps = atoi(argv[2]);
  if (reps < 1) reps = 1;
  int nsfd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
    fprintf(stderr, "floor: cannot enter %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  close(nsfd);

  size_t cap = 1 << 20;
  char* buf = malloc(cap);
  double* t = malloc(sizeof(double) * (size_t)reps);
  if (!buf || !t) return 1;
  uint32_t seq = 1;
  int status = 0;
  for (int a = 3; a < argc; a++) {
    const struct kind* k = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (strcmp(argv[a], kinds[i].name) == 0) k = &kinds[i];
    if (!k) {
      fprintf(stderr, "floor: unknown kind %s\n", argv[a]);
      return 2;
    }
    struct mnl_socket* s = mnl_socket_open(k->protocol);
    if (!s || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
      fprintf(stderr, "floor: %s: socket: %s\n", k->name, strerror(errno));
      return 1;
    }
    int rcvbuf = 4 << 20;
    if (setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

    struct walk w = {0};
    int err = dump(s, k, buf, cap, seq++, &w);  // warm-up, not timed
    uint64_t count = w.messages;
    for (int r = 0; r < reps && !err; r++) {
      w = (struct walk){0};
      double t0 = now_ms();
      err = dump(s, k, buf, cap, seq++, &w);
      t[r] = now_ms() - t0;
    }
    mnl_socket_close(s);
    if (err) {
      fprintf(stderr, "floor: %s: %s\n", k->name, strerror(err));
      status = 1;
      continue;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp);
    double median = reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
    printf(
        "{\"kind\":\"%s\",\"count\":%llu,\"median_ms\":%.4f,\"bytes\":%llu,\"recvs\":%llu,"
        "\"attrs\":%llu,"
        "\"interrupted\":%llu}\n",
        k->name, (unsigned long long)count, median, (unsigned long long)w.bytes,
        (unsigned long long)w.recvs, (unsigned long long)w.attrs,
        (unsigned long long)w.interrupted);
    fflush(stdout);
  }
  return status;
}
