// HandleCore (see handle.h).
#include "handle.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "netns.h"

namespace nlw {

std::shared_ptr<HandleCore> HandleCore::create(Fd nsfd, const std::vector<int>& protocols,
                                               NlError* err) {
  std::shared_ptr<HandleCore> h(new HandleCore());
  h->nsfd_ = std::move(nsfd);
  h->protocols_ = protocols;
  h->cancel_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!h->cancel_fd_) {
    set_errno_error(err, errno, "eventfd");
    return nullptr;
  }
  for (int p : protocols) {
    auto s = open_socket_in(h->nsfd_.get(), p, err);
    if (!s) return nullptr;  // the Fds close what was opened
    h->idle_[p].push_back(std::move(s));
  }
  return h;
}

#ifdef NLWRAP_TEST_SEAMS
std::shared_ptr<HandleCore> HandleCore::adopt(Fd fd, int protocol, uint32_t port, NlError* err) {
  std::shared_ptr<HandleCore> h(new HandleCore());
  h->adopted_ = true;
  h->protocols_ = {protocol};
  h->idle_[protocol].push_back(NetlinkSocket::adopt(std::move(fd), protocol, port));
  // Without it close() could not wake a request in flight.
  h->cancel_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!h->cancel_fd_) {
    set_errno_error(err, errno, "eventfd");
    return nullptr;
  }
  return h;
}
#endif

bool HandleCore::has_protocol(int protocol) const {
  return std::find(protocols_.begin(), protocols_.end(), protocol) != protocols_.end();
}

std::unique_ptr<NetlinkSocket> HandleCore::acquire(int protocol, NlError* err, bool fresh) {
  int nsfd;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      err->code = "ERR_HANDLE_CLOSED";
      err->message = "the handle is closed";
      return nullptr;
    }
    auto& pool = idle_[protocol];
    if (!fresh && !pool.empty()) {
      auto s = std::move(pool.back());
      pool.pop_back();
      inflight_++;
      return s;
    }
#ifdef NLWRAP_TEST_SEAMS
    if (adopted_) {
      err->code = "EBUSY";
      err->errnum = EBUSY;
      err->message = "the fake kernel's only socket is busy";
      return nullptr;
    }
#endif
    opening_++;  // keeps nsfd_ open until this open is done
    nsfd = nsfd_.get();
  }
  // Opening may spawn a namespace thread: not under the lock.
  auto s = open_socket_in(nsfd, protocol, err);
  std::lock_guard<std::mutex> lock(mu_);
  if (--opening_ == 0 && closed_) nsfd_.reset();
  if (closed_ && s) {
    err->code = "ERR_HANDLE_CLOSED";
    err->message = "the handle was closed while the request was in flight";
    return nullptr;
  }
  if (s) inflight_++;
  return s;
}

void HandleCore::release(std::unique_ptr<NetlinkSocket> sock) {
  std::unique_ptr<NetlinkSocket> drop;  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (inflight_ > 0) inflight_--;
  if (closed_) {
    if (inflight_ == 0) cancel_fd_.reset();
    drop = std::move(sock);
    return;
  }
  if (!sock || !sock->reusable()) return;
  auto& pool = idle_[sock->protocol()];
  if (pool.size() < kMaxIdle) pool.push_back(std::move(sock));
}

void HandleCore::close() {
  std::map<int, std::vector<std::unique_ptr<NetlinkSocket>>> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    drop.swap(idle_);
    uint64_t one = 1;
    if (cancel_fd_) (void)!write(cancel_fd_.get(), &one, sizeof one);
    if (inflight_ == 0) cancel_fd_.reset();
    if (opening_ == 0) nsfd_.reset();
  }
  stop_fds_->close();
}

bool HandleCore::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace nlw
