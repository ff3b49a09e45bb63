// One netlink socket and its request/reply loop (DESIGN layer 1).
//
// transact() sends one request and reads every datagram of the reply before
// anything is parsed (slow readers get their dumps flagged more often). Each
// datagram is sized with MSG_PEEK|MSG_TRUNC first, so nothing is truncated
// however large a single message is. Messages whose seq or port id is not
// ours are stale and skipped; NLM_F_DUMP_INTR is ORed over every message of
// the reply, NLMSG_DONE included, and reading goes on to the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fd.h"
#include "pod_buf.h"

namespace nlw {

// An error for JS: `code` is an errno name ("ENODEV") or a library code
// ("ETIMEDOUT", "ERR_HANDLE_CLOSED", "EBADMSG"); errno is 0 for the latter
// unless one applies.
struct NlError {
  std::string code;
  int errnum = 0;
  std::string message;
  std::string extack;
  bool set() const { return !code.empty(); }
};

void set_errno_error(NlError* err, int errnum, const std::string& what);
const char* errno_name(int errnum);
// The error a kernel NLMSG_ERROR / NLMSG_DONE carries (-errno, non-zero).
// Values outside the kernel's errno range (1..4095, MAX_ERRNO) are a
// malformed reply: EBADMSG (negating INT_MIN would be undefined besides).
void set_kernel_error(NlError* err, int32_t raw);

// The data messages of one reply (DONE / ERROR / stale messages removed),
// packed back to back as the kernel sent them.
struct Reply {
  ByteBuf data;
  bool interrupted = false;  // NLM_F_DUMP_INTR seen on any message
  uint64_t bytes = 0;        // bytes received, all datagrams
  uint64_t datagrams = 0;
  uint64_t messages = 0;  // data messages kept
};

// Fds whose readability aborts a wait (-1: none): the handle's, written
// when it is closed, and the stream's, written when its reader stopped.
struct CancelFds {
  int handle = -1;
  int stream = -1;
};

// Receives the data messages of each datagram as soon as it is read, so a
// caller can parse while the kernel fills the next chunk. Returns false (with
// err set) to abandon the reply.
using DatagramSink = std::function<bool(const uint8_t* data, size_t len, NlError* err)>;

class NetlinkSocket {
 public:
  // Opens a socket of `protocol` in the calling thread's network namespace.
  static std::unique_ptr<NetlinkSocket> open(int protocol, NlError* err);
  // Takes ownership of an fd (a test's fake kernel: a socketpair end). Such
  // a socket speaks netlink framing but is not bound: port id is `port`.
  static std::unique_ptr<NetlinkSocket> adopt(Fd fd, int protocol, uint32_t port);
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  int protocol() const { return protocol_; }
  uint32_t port() const { return port_; }
  // False once a timeout, overrun or malformed reply left the socket in an
  // unknown state: it must be closed, not reused.
  bool reusable() const { return reusable_; }
  bool strict_check() const { return strict_check_; }

  // Sends `request` (an nlmsghdr and its payload; seq and pid are filled in
  // here) and reads the whole reply. A dump ends at NLMSG_DONE; any other
  // request ends at its ACK (NLM_F_ACK is set here). `cancel` aborts the
  // wait when one of its fds becomes readable. Returns false with `err` set.
  // With a `sink`, each datagram's data messages go to it and are dropped
  // from reply->data once it returns, so memory stays at one datagram.
  bool transact(std::vector<uint8_t>& request, int timeout_ms, const CancelFds& cancel,
                Reply* reply, NlError* err, const DatagramSink* sink = nullptr);

  // Sends many non-dump requests, each with NLM_F_ACK, at most `window`
  // unacknowledged at a time, and collects each one's result: 0 or a
  // negative errno, per request in order. Used for conntrack deletes.
  // On failure (timeout, cancel, a socket error) `results` still holds every
  // answer read, 1 for a request sent without an answer or never sent: the
  // kernel handles the requests of a send() before it returns, so on a
  // timeout or cancel the acknowledgements already queued are read first.
  bool transact_batch(const std::vector<std::vector<uint8_t>>& requests, size_t window,
                      int timeout_ms, const CancelFds& cancel, std::vector<int>* results,
                      NlError* err);

  // Multicast (subscriptions): joins each netlink group, then sets the
  // receive buffer (SO_RCVBUFFORCE when `force`, which needs CAP_NET_ADMIN;
  // 0 keeps the default). NETLINK_NO_ENOBUFS is never set: a reader that
  // falls behind must learn it.
  bool join_groups(const std::vector<uint32_t>& groups, NlError* err);
  bool set_receive_buffer(int bytes, bool force, NlError* err);
  // A classic BPF program (SO_ATTACH_FILTER) the kernel runs on every
  // message before queueing it for this socket (a subscription's filter).
  bool attach_filter(const void* insns, size_t count, NlError* err);
  // SO_RCVBUF as the kernel set it (it doubles what was asked).
  int receive_buffer() const;

  // Waits until readable (deadline_ms < 0: no deadline); false with err set
  // on timeout or when a cancel fd turned readable (code ERR_CANCELLED).
  bool wait_readable(int64_t deadline_ms, const CancelFds& cancel, NlError* err);
  // Receives one datagram, appended to `buf`: its size, 0 when none is
  // waiting, -1 with err set (ENOBUFS: the kernel dropped messages for this
  // socket; a multicast socket stays usable after it).
  ssize_t receive(ByteBuf* buf, NlError* err) { return recv_datagram(buf, err); }

 private:
  NetlinkSocket(Fd fd, int protocol, uint32_t port);
  // Receives one datagram, appended to `buf`; returns its size or -1.
  ssize_t recv_datagram(ByteBuf* buf, NlError* err);
  bool send_all(const uint8_t* p, size_t n, NlError* err);

  Fd fd_;
  int protocol_;
  uint32_t port_;
  uint32_t seq_;
  bool reusable_ = true;
  bool strict_check_ = false;
};

int64_t now_ms();

}  // namespace nlw
