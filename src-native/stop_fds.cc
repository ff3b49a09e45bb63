// See stop_fds.h.
#include "stop_fds.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace nlw {

namespace {
// More than a handle runs requests at once, usually; not a static member
// (see thread_pool.cc).
constexpr size_t kKeep = 8;
}  // namespace

Fd StopFds::take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      Fd fd = std::move(free_.back());
      free_.pop_back();
      return fd;
    }
  }
  return Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

void StopFds::give_back(Fd fd, bool signaled) {
  if (signaled) {
    uint64_t count;
    if (read(fd.get(), &count, sizeof count) < 0 && errno != EAGAIN) return;  // closes it
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_ && free_.size() < kKeep) free_.push_back(std::move(fd));
}

void StopFds::close() {
  std::vector<Fd> drop;  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  drop.swap(free_);
}

}  // namespace nlw
