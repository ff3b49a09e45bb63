// libFuzzer harness for the native message walker, every registered parser
// (parse_*.cc via registry.h: no N-API) and the socket core's reply loop.
//
// Input: byte 0 picks the target, the rest is its bytes.
//   target < number of parsers: parse_messages(parser, bytes) (capture.h),
//     what parse.<name>(buf) runs.
//   target == number of parsers: NetlinkSocket::transact over a socketpair.
//     A peer thread reads the request and answers with the bytes as
//     datagrams ([u16 length][bytes] records); in each whole message header
//     a seq field < 4 becomes request seq - field (0: ours, else stale) and a
//     pid field of 1 becomes the core's port, then one NLMSG_DONE of ours
//     ends any reply the bytes left open. A reusable socket then runs a
//     second request, so leftovers of the first are skipped as stale. The
//     data messages the core kept are parsed as a dump parses them
//     (parse_data, dump.h).
//
// Build and run: fuzz/build.sh, fuzz/run.sh [seconds] (see README,
// "Reliability").
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "capture.h"
#include "dump.h"
#include "fd.h"
#include "record.h"
#include "socket.h"

using namespace nlw;

namespace {

constexpr uint32_t kPort = 0x4e4c5746;

void put_u32(std::vector<uint8_t>& b, size_t off, uint32_t v) {
  std::memcpy(b.data() + off, &v, 4);
}

std::vector<uint8_t> done_msg(uint32_t seq) {
  std::vector<uint8_t> d(20, 0);
  put_u32(d, 0, 20);
  uint16_t type = NLMSG_DONE, flags = NLM_F_MULTI;
  std::memcpy(d.data() + 4, &type, 2);
  std::memcpy(d.data() + 6, &flags, 2);
  put_u32(d, 8, seq);
  put_u32(d, 12, kPort);
  return d;
}

// The fake kernel: one request in, the fuzzer's datagrams and a DONE out.
// Sends never block: a unix datagram queue holds only max_dgram_qlen (10)
// datagrams, and the core may have stopped reading (a malformed reply).
void answer(int peer, const uint8_t* data, size_t size) {
  pollfd p{peer, POLLIN, 0};
  if (poll(&p, 1, 1000) <= 0) return;
  uint8_t req[4096];
  ssize_t n = recv(peer, req, sizeof req, 0);
  if (n < 16) return;
  uint32_t seq;
  std::memcpy(&seq, req + 8, 4);
  size_t off = 0;
  while (off + 2 <= size) {
    uint16_t len;
    std::memcpy(&len, data + off, 2);
    off += 2;
    if (len > size - off) len = static_cast<uint16_t>(size - off);
    std::vector<uint8_t> d(data + off, data + off + len);
    off += len;
    for (size_t m = 0; m + 16 <= d.size();) {
      uint32_t mlen, s, pid;
      std::memcpy(&mlen, d.data() + m, 4);
      std::memcpy(&s, d.data() + m + 8, 4);
      std::memcpy(&pid, d.data() + m + 12, 4);
      if (s < 4) put_u32(d, m + 8, seq - s);
      if (pid == 1) put_u32(d, m + 12, kPort);
      if (mlen < 16 || mlen > d.size() - m) break;
      m += NLMSG_ALIGN(mlen);
    }
    send(peer, d.data(), d.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  auto d = done_msg(seq);
  send(peer, d.data(), d.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void fuzz_socket(const uint8_t* data, size_t size) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) return;
  int big = 4 << 20;
  setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  Fd peer_end(sv[1]);
  auto sock = NetlinkSocket::adopt(Fd(sv[0]), NETLINK_ROUTE, kPort);
  const Parser* links = find_parser("links");
  for (int round = 0; round < 2; round++) {
    std::thread peer(answer, sv[1], data, round == 0 ? size : 0);
    std::vector<uint8_t> req(sizeof(nlmsghdr) + 16, 0);
    nlmsghdr h{};
    h.nlmsg_type = 18 /* RTM_GETLINK */;
    h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    std::memcpy(req.data(), &h, sizeof h);
    Reply reply;
    NlError err;
    bool ok = sock->transact(req, 2000, CancelFds{}, &reply, &err);
    peer.join();
    if (ok && links) {
      RecordSet set(links->root());
      NlError perr;
      parse_data(*links, reply.data.data(), reply.data.size(), &set, &perr);
    }
    if (!sock->reusable()) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& parsers = parser_registry();
  size_t target = data[0] % (parsers.size() + 1);
  data++;
  size--;
  if (target == parsers.size()) {
    fuzz_socket(data, size);
    return 0;
  }
  // libFuzzer's buffer ends exactly at data + size: ASan sees overreads.
  RecordSet set(parsers[target]->root());
  bool interrupted = false;
  NlError err;
  parse_messages(*parsers[target], data, size, &set, &interrupted, &err);
  return 0;
}
