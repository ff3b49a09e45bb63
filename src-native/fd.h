// Fd: the one owner of a file descriptor, from the moment it is opened until
// it is closed. Move-only, so an fd cannot have two owners that both close it
// (a second close() of a number the process has reused closes someone
// else's file), and every path out of a function, failures included, closes
// what it opened. This is the only place in the addon that calls close(2).
#pragma once

#include <unistd.h>

#include <utility>

namespace nlw {

class Fd {
 public:
  Fd() noexcept = default;
  // Takes ownership of `fd` (-1: none).
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  // The number, still owned here: valid only while this Fd holds it.
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives the fd up without closing it (to a new owner, e.g. JS).
  int release() noexcept { return std::exchange(fd_, -1); }

  // Closes the fd held (if any) and takes `fd` instead. close(2) is not
  // retried on EINTR: on Linux the fd is released whatever it returns.
  void reset(int fd = -1) noexcept {
    int old = std::exchange(fd_, fd);
    if (old >= 0) ::close(old);
  }

 private:
  int fd_ = -1;
};

}  // namespace nlw
