// The native side of a Handle: the namespace it lives in and a small pool of
// netlink sockets per protocol. One request runs on a socket at a time; a
// concurrent request takes another idle socket or opens a new one, so calls
// never queue behind each other. Sockets left in an unknown state (timeout,
// overrun, malformed reply) are closed instead of returned to the pool.
#pragma once

#include <linux/netlink.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "fd.h"
#include "socket.h"
#include "stop_fds.h"

namespace nlw {

class HandleCore {
 public:
  // Takes ownership of `nsfd` (empty: the process's namespace) and opens one
  // socket per protocol at once, so a bad namespace fails here. On failure
  // everything, `nsfd` included, is closed once, here.
  static std::shared_ptr<HandleCore> create(Fd nsfd, const std::vector<int>& protocols,
                                            NlError* err);

  // A socket of `protocol` for one request; give it back with release().
  // `fresh`: a new socket, never an idle one (a subscription's, which
  // joins multicast groups and is never pooled).
  std::unique_ptr<NetlinkSocket> acquire(int protocol, NlError* err, bool fresh = false);
  void release(std::unique_ptr<NetlinkSocket> sock);

  // Idempotent. Wakes every in-flight request (it ends with
  // ERR_HANDLE_CLOSED); their sockets are closed when they finish.
  void close();
  bool closed();
  // Borrowed by in-flight requests: open until the last of them is released.
  int cancel_fd() const { return cancel_fd_.get(); }
  bool has_protocol(int protocol) const;
  // The stop fds of this handle's streams (closed by close()).
  const std::shared_ptr<StopFds>& stop_fds() const { return stop_fds_; }

#ifdef NLWRAP_TEST_SEAMS
  // The test build only: a handle over one already-open fd (a fake
  // kernel's socketpair end), owned from here on, also when this fails.
  static std::shared_ptr<HandleCore> adopt(Fd fd, int protocol, uint32_t port, NlError* err);
#endif

 private:
  HandleCore() = default;
  static constexpr size_t kMaxIdle = 4;  // per protocol
  std::mutex mu_;
  bool closed_ = false;
  // The test build's adopt() sets it. Declared in every build: the objects
  // shared by the shipped and the test addon (binding.gyp) must agree on
  // this class's layout.
  bool adopted_ = false;
  Fd nsfd_;
  int opening_ = 0;   // sockets being opened in nsfd_ right now
  int inflight_ = 0;  // sockets handed out by acquire(), not yet released
  // Closed by close() once no request is in flight (else by the last
  // release()), not at garbage collection: an agent that opens and closes
  // handles in a loop must not run out of fds before the GC runs.
  Fd cancel_fd_;
  std::vector<int> protocols_;
  std::map<int, std::vector<std::unique_ptr<NetlinkSocket>>> idle_;
  const std::shared_ptr<StopFds> stop_fds_ = std::make_shared<StopFds>();
};

}  // namespace nlw
