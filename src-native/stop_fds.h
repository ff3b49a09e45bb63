// The stop eventfds of one handle's streams, kept for the next stream:
// opening and closing one per request cost two syscalls and a file each, a
// few percent of a small request. Closed with their handle, as its idle
// sockets are, so a closed handle leaves no fd behind.
#pragma once

#include <mutex>
#include <vector>

#include "fd.h"

namespace nlw {

class StopFds {
 public:
  // A kept fd, or a new one (invalid when eventfd() failed: errno says why).
  Fd take();
  // Keeps `fd` for a later take(), unless the pool is full or closed.
  // `signaled`: it was written to, so its count is read back to zero first.
  void give_back(Fd fd, bool signaled);
  // Closes the kept fds; those given back from now on are closed at once.
  void close();

 private:
  std::mutex mu_;
  bool closed_ = false;
  std::vector<Fd> free_;
};

}  // namespace nlw
