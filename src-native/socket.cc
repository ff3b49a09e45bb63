// Netlink socket I/O: open, send, receive whole replies (see socket.h).
#include "socket.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <unordered_map>

#include "attr.h"

#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

namespace nlw {

namespace {
constexpr int kRecvBuf = 4 << 20;  // a few MiB: a dump chunk is ~32 KiB
constexpr int kSendBuf = 1 << 20;
// Receive room per datagram: more than the ~32 KiB the kernel fills a dump
// chunk with, so every chunk is as large as the kernel makes them.
constexpr size_t kRecvChunk = 64 << 10;

void setopt(int fd, int level, int name, int value) {
  setsockopt(fd, level, name, &value, sizeof value);
}

// The kernel's error text and, for DONE/ERROR, the errno it carries.
void read_extack(const uint8_t* tlv, size_t len, NlError* err) {
  ParseError pe;
  for (const Attr& a : Attrs(tlv, len, &pe)) {
    if (a.type() == NLMSGERR_ATTR_MSG) err->extack = std::string(a.str());
  }
}

// NLMSG_ERROR payload: int error, the request's header (and its payload
// unless the kernel capped it), then extended-ACK attributes.
int error_of(const Message& m, NlError* err) {
  const uint8_t* p = m.payload();
  size_t n = m.payload_len();
  if (n < sizeof(int32_t)) return -EBADMSG;
  int32_t e;
  std::memcpy(&e, p, sizeof e);
  if (e == 0 || err == nullptr) return e;
  if ((m.hdr().nlmsg_flags & NLM_F_ACK_TLVS) && n >= sizeof(nlmsgerr)) {
    nlmsgerr full;
    std::memcpy(&full, p, sizeof full);
    size_t off = sizeof(nlmsgerr);
    if (!(m.hdr().nlmsg_flags & NLM_F_CAPPED) && full.msg.nlmsg_len > NLMSG_HDRLEN)
      off += NLMSG_ALIGN(full.msg.nlmsg_len - NLMSG_HDRLEN);
    if (off < n) read_extack(p + off, n - off, err);
  }
  return e;
}

// NLMSG_DONE payload: int error (0 on success), then extended-ACK attributes.
int done_error_of(const Message& m, NlError* err) {
  const uint8_t* p = m.payload();
  size_t n = m.payload_len();
  if (n < sizeof(int32_t)) return 0;  // very old kernels: empty DONE
  int32_t e;
  std::memcpy(&e, p, sizeof e);
  if (e < 0 && (m.hdr().nlmsg_flags & NLM_F_ACK_TLVS) && n > sizeof e)
    read_extack(p + sizeof e, n - sizeof e, err);
  return e;
}
}  // namespace

void set_errno_error(NlError* err, int errnum, const std::string& what) {
  err->code = errno_name(errnum);
  err->errnum = errnum;
  err->message = what + ": " + strerror(errnum);
}

void set_kernel_error(NlError* err, int32_t raw) {
  int64_t e = raw < 0 ? -static_cast<int64_t>(raw) : raw;
  if (e < 1 || e > 4095) {
    err->code = "EBADMSG";
    err->errnum = EBADMSG;
    err->message =
        "malformed netlink reply: error code " + std::to_string(raw) + " out of the errno range";
    return;
  }
  err->code = errno_name(static_cast<int>(e));
  err->errnum = static_cast<int>(e);
  err->message = strerror(static_cast<int>(e));
}

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

NetlinkSocket::NetlinkSocket(Fd fd, int protocol, uint32_t port)
    : fd_(std::move(fd)), protocol_(protocol), port_(port) {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  seq_ = static_cast<uint32_t>(ts.tv_nsec ^ (ts.tv_sec << 10));
}

std::unique_ptr<NetlinkSocket> NetlinkSocket::open(int protocol, NlError* err) {
  Fd owned(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
  const int fd = owned.get();
  if (!owned) {
    set_errno_error(err, errno, "socket(AF_NETLINK)");
    return nullptr;
  }
  // SO_RCVBUFFORCE needs CAP_NET_ADMIN; the plain option is the fallback.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kRecvBuf, sizeof kRecvBuf))
    setopt(fd, SOL_SOCKET, SO_RCVBUF, kRecvBuf);
  setopt(fd, SOL_SOCKET, SO_SNDBUF, kSendBuf);
  setopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
  setopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    set_errno_error(err, errno, "bind(AF_NETLINK)");
    return nullptr;
  }
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) {
    set_errno_error(err, errno, "getsockname(AF_NETLINK)");
    return nullptr;
  }
  std::unique_ptr<NetlinkSocket> s(new NetlinkSocket(std::move(owned), protocol, sa.nl_pid));
  // Strict checking lets rtnetlink filter dumps in the kernel (ifindex,
  // family, table); kernels before 4.20 refuse the option and we filter in
  // the facade instead.
  if (protocol == NETLINK_ROUTE) {
    int one = 1;
    s->strict_check_ = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
  }
  return s;
}

std::unique_ptr<NetlinkSocket> NetlinkSocket::adopt(Fd fd, int protocol, uint32_t port) {
  std::unique_ptr<NetlinkSocket> s(new NetlinkSocket(std::move(fd), protocol, port));
  s->strict_check_ = true;
  return s;
}

bool NetlinkSocket::wait_readable(int64_t deadline_ms, const CancelFds& cancel, NlError* err) {
  for (;;) {
    int64_t left = deadline_ms < 0 ? -1 : deadline_ms - now_ms();
    if (deadline_ms >= 0 && left <= 0) {
      reusable_ = false;
      err->code = "ETIMEDOUT";
      err->errnum = ETIMEDOUT;
      err->message = "netlink request timed out";
      return false;
    }
    pollfd fds[3] = {
        {fd_.get(), POLLIN, 0}, {cancel.handle, POLLIN, 0}, {cancel.stream, POLLIN, 0}};
    int n = poll(fds, 3, left < 0 ? -1 : static_cast<int>(left > 1000000 ? 1000000 : left));
    if (n < 0) {
      if (errno == EINTR) continue;
      set_errno_error(err, errno, "poll");
      reusable_ = false;
      return false;
    }
    if (fds[1].revents) {
      reusable_ = false;
      err->code = "ERR_HANDLE_CLOSED";
      err->message = "the handle was closed while the request was in flight";
      return false;
    }
    if (fds[2].revents) {
      reusable_ = false;
      err->code = "ERR_CANCELLED";
      err->message = "the reader stopped the request";
      return false;
    }
    if (fds[0].revents) return true;
  }
}

bool NetlinkSocket::join_groups(const std::vector<uint32_t>& groups, NlError* err) {
  for (uint32_t g : groups) {
    if (setsockopt(fd_.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) {
      set_errno_error(err, errno, "NETLINK_ADD_MEMBERSHIP " + std::to_string(g));
      return false;
    }
  }
  reusable_ = false;  // it now receives events: never a request socket again
  return true;
}

bool NetlinkSocket::attach_filter(const void* insns, size_t count, NlError* err) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(count);
  prog.filter = static_cast<sock_filter*>(const_cast<void*>(insns));
  if (count == 0 || count > BPF_MAXINSNS ||
      setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) {
    set_errno_error(err, count == 0 || count > BPF_MAXINSNS ? EINVAL : errno, "SO_ATTACH_FILTER");
    return false;
  }
  return true;
}

int NetlinkSocket::receive_buffer() const {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &v, &len) < 0) return 0;
  return v;
}

bool NetlinkSocket::set_receive_buffer(int bytes, bool force, NlError* err) {
  if (bytes <= 0) return true;
  if (setsockopt(fd_.get(), SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF, &bytes, sizeof bytes) <
      0) {
    set_errno_error(err, errno, force ? "SO_RCVBUFFORCE" : "SO_RCVBUF");
    return false;
  }
  return true;
}

ssize_t NetlinkSocket::recv_datagram(ByteBuf* buf, NlError* err) {
  // The kernel sizes the chunks of a dump after the largest buffer recv()
  // was given (up to ~32 KiB): peeking with a zero-length buffer would make
  // it send two links per datagram. So peek into a full chunk's worth of
  // room; MSG_TRUNC returns the datagram's real size, and when it did not
  // fit, the buffer grows and the datagram is read again: nothing is ever
  // truncated. Otherwise a zero-length read drops the datagram just copied.
  const size_t old = buf->size();
  for (;;) {
    // NLMSG_ALIGNTO bytes of slack: transact() may pad the last message.
    buf->resize(old + kRecvChunk + NLMSG_ALIGNTO);
    ssize_t n =
        ::recv(fd_.get(), buf->data() + old, kRecvChunk, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      buf->resize(old);
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 0;
      reusable_ = false;
      if (errno == ENOBUFS) {
        set_errno_error(err, ENOBUFS, "netlink receive buffer overrun, the dump was lost");
      } else {
        set_errno_error(err, errno, "recv(netlink)");
      }
      return -1;
    }
    size_t size = static_cast<size_t>(n);
    ssize_t got;
    if (size > kRecvChunk) {
      buf->resize(old + size + NLMSG_ALIGNTO);
      do {
        got = ::recv(fd_.get(), buf->data() + old, size, MSG_DONTWAIT);
      } while (got < 0 && errno == EINTR);
    } else {
      do {
        got = ::recv(fd_.get(), nullptr, 0, MSG_TRUNC | MSG_DONTWAIT);
      } while (got < 0 && errno == EINTR);
    }
    if (got < 0 || static_cast<size_t>(got) != size) {
      buf->resize(old);
      reusable_ = false;
      if (got < 0) {
        set_errno_error(err, errno, "recv(netlink)");
      } else {
        err->code = "EIO";
        err->errnum = EIO;
        err->message = "a netlink datagram changed between peek and read";
      }
      return -1;
    }
    buf->resize(old + size);
    if (size == 0) continue;  // an empty datagram: nothing to read
    return n;
  }
}

bool NetlinkSocket::send_all(const uint8_t* p, size_t n, NlError* err) {
  for (;;) {
    ssize_t w = ::send(fd_.get(), p, n, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      set_errno_error(err, errno, "send(netlink)");
      return false;
    }
    if (static_cast<size_t>(w) != n) {
      reusable_ = false;
      err->code = "EIO";
      err->errnum = EIO;
      err->message = "short send on a netlink socket";
      return false;
    }
    return true;
  }
}

bool NetlinkSocket::transact(std::vector<uint8_t>& request, int timeout_ms, const CancelFds& cancel,
                             Reply* reply, NlError* err, const DatagramSink* sink) {
  nlmsghdr h;
  if (request.size() < sizeof h || request.size() > UINT32_MAX) {
    err->code = "EINVAL";
    err->errnum = EINVAL;
    err->message = request.size() < sizeof h ? "request shorter than a netlink header"
                                             : "request longer than a netlink message can be";
    return false;
  }
  std::memcpy(&h, request.data(), sizeof h);
  const bool dump = (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  h.nlmsg_len = static_cast<uint32_t>(request.size());
  h.nlmsg_flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
  h.nlmsg_seq = ++seq_;
  h.nlmsg_pid = 0;
  std::memcpy(request.data(), &h, sizeof h);
  const uint32_t seq = h.nlmsg_seq;

  const int64_t deadline = now_ms() + timeout_ms;
  if (!send_all(request.data(), request.size(), err)) return false;

  ByteBuf& data = reply->data;
  bool done = false;
  bool sink_failed = false;
  NlError sink_err;
  int kernel_error = 0;
  NlError kernel_err;
  while (!done) {
    if (!wait_readable(deadline, cancel, err)) return false;
    size_t start = data.size();
    ssize_t n = recv_datagram(&data, err);
    if (n < 0) return false;
    if (n == 0) continue;
    reply->bytes += static_cast<uint64_t>(n);
    reply->datagrams++;

    // Walk the new datagram, keeping data messages packed at `w`.
    size_t w = start;
    ParseError pe;
    const uint8_t* base = data.data();
    bool ok = for_each_message(base + start, static_cast<size_t>(n), &pe, [&](const Message& m) {
      const nlmsghdr& mh = m.hdr();
      if (mh.nlmsg_seq != seq || (mh.nlmsg_pid != port_ && mh.nlmsg_pid != 0))
        return true;  // stale: an earlier request's answer
      if (mh.nlmsg_flags & NLM_F_DUMP_INTR) reply->interrupted = true;
      switch (mh.nlmsg_type) {
        case NLMSG_NOOP:
        case NLMSG_OVERRUN: return true;
        case NLMSG_DONE:
          kernel_error = done_error_of(m, &kernel_err);
          done = true;
          return false;
        case NLMSG_ERROR:
          kernel_error = error_of(m, &kernel_err);
          if (kernel_error != 0 || !dump) done = true;
          return !done;
        default: {
          size_t off = static_cast<size_t>(reinterpret_cast<const uint8_t*>(m.payload()) -
                                           NLMSG_HDRLEN - base);
          size_t len = mh.nlmsg_len;
          size_t padded = NLMSG_ALIGN(len);
          if (off != w) std::memmove(data.data() + w, base + off, len);
          if (padded != len) {
            // Keep every message 4-aligned for the parsers' walker; the
            // slack left by recv_datagram makes this resize never reallocate.
            if (w + padded > data.size()) data.resize(w + padded);
            std::memset(data.data() + w + len, 0, padded - len);
          }
          w += padded;
          reply->messages++;
          return true;
        }
      }
    });
    if (!ok) {
      reusable_ = false;
      data.resize(start);
      err->code = "EBADMSG";
      err->errnum = EBADMSG;
      err->message = std::string("malformed netlink reply: ") + pe.what;
      return false;
    }
    data.resize(w);
    if (sink != nullptr && w > start) {
      if (!sink_failed && !(*sink)(data.data() + start, w - start, &sink_err)) {
        // A reader that stopped wants no more: the socket goes, with the
        // rest of the dump in it. Bytes that did not parse: the rest is
        // read and dropped, so the socket stays usable.
        if (sink_err.code == "ERR_CANCELLED") {
          reusable_ = false;
          *err = sink_err;
          return false;
        }
        sink_failed = true;
      }
      data.resize(start);
    }
  }
  if (sink_failed) {
    *err = sink_err;
    return false;
  }
  if (kernel_error != 0) {
    set_kernel_error(err, kernel_error);
    err->extack = kernel_err.extack;
    if (!err->extack.empty()) err->message += " (" + err->extack + ")";
    return false;
  }
  return true;
}

bool NetlinkSocket::transact_batch(const std::vector<std::vector<uint8_t>>& requests, size_t window,
                                   int timeout_ms, const CancelFds& cancel,
                                   std::vector<int>* results, NlError* err) {
  const size_t total = requests.size();
  results->assign(total, 1);  // 1 = no answer yet
  if (total == 0) return true;
  if (window == 0) window = 1;
  const uint32_t base_seq = seq_ + 1;
  seq_ += static_cast<uint32_t>(total);
  const int64_t deadline = now_ms() + timeout_ms;

  size_t sent = 0, answered = 0;
  std::vector<uint8_t> out;
  ByteBuf in;
  // Records the acknowledgements in `in`; false (err set) when malformed.
  auto take_acks = [&](NlError* e) {
    ParseError pe;
    bool ok = for_each_message(in.data(), in.size(), &pe, [&](const Message& m) {
      uint32_t s = m.hdr().nlmsg_seq - base_seq;
      if (m.hdr().nlmsg_type != NLMSG_ERROR || s >= total || (*results)[s] != 1)
        return true;  // stale or not an acknowledgement
      int r = error_of(m, nullptr);
      // Not an errno (garbage): 1 would also read as "no answer yet".
      if (r > 0 || r < -4095) r = -EBADMSG;
      (*results)[s] = r;
      answered++;
      return true;
    });
    if (!ok) {
      reusable_ = false;
      e->code = "EBADMSG";
      e->errnum = EBADMSG;
      e->message = std::string("malformed netlink reply: ") + pe.what;
    }
    return ok;
  };
  while (answered < total) {
    // Fill the window: pack as many requests as fit into one send. Nothing
    // more is sent once the deadline has passed.
    out.clear();
    const bool in_time = now_ms() < deadline;
    while (in_time && sent < total && sent - answered < window && out.size() < 60000) {
      const auto& r = requests[sent];
      nlmsghdr h;
      std::memcpy(&h, r.data(), sizeof h);
      h.nlmsg_len = static_cast<uint32_t>(r.size());
      h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
      h.nlmsg_seq = base_seq + static_cast<uint32_t>(sent);
      h.nlmsg_pid = 0;
      size_t at = out.size();
      out.insert(out.end(), r.begin(), r.end());
      out.resize(at + NLMSG_ALIGN(r.size()), 0);
      std::memcpy(out.data() + at, &h, sizeof h);
      sent++;
    }
    if (!out.empty() && !send_all(out.data(), out.size(), err)) return false;
    // Read whatever acknowledgements have arrived (at least one datagram).
    if (!wait_readable(deadline, cancel, err)) {
      // What was sent has been handled: collect the answers already queued
      // (without waiting), so the caller knows what was done.
      NlError ignored;
      for (;;) {
        in.clear();
        if (recv_datagram(&in, &ignored) <= 0 || !take_acks(&ignored)) break;
      }
      return false;
    }
    in.clear();
    ssize_t n = recv_datagram(&in, err);
    if (n < 0) return false;
    if (!take_acks(err)) return false;
  }
  return true;
}

}  // namespace nlw
