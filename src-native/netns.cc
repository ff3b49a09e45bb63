// Network namespaces (see netns.h).
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <system_error>
#include <thread>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace nlw {

Fd open_netns(const std::string& path, int fd, NlError* err) {
  const std::string what = path.empty() ? "fd " + std::to_string(fd) : path;
  // Callers pass errno in before anything else runs: building the message
  // allocates, which may change errno.
  auto failed = [&](int e, const char* doing) {
    set_errno_error(err, e, std::string(doing) + " " + what);
    return Fd();
  };
  auto not_netns = [&] {
    err->code = "EINVAL";
    err->errnum = EINVAL;
    err->message = what + " is not a network namespace";
    return Fd();
  };
  // First an O_PATH fd (or a duplicate of the caller's): looking at a file
  // through it neither blocks (opening a FIFO for reading waits for a
  // writer, on the JS thread) nor has the side effects opening a device can
  // have. Only an nsfs file goes further.
  Fd probe(path.empty() ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : ::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!probe) return failed(errno, "cannot open network namespace");
  struct statfs fs;
  if (fstatfs(probe.get(), &fs) != 0) return failed(errno, "cannot inspect");
  if (fs.f_type != NSFS_MAGIC) return not_netns();
  // setns(2) refuses O_PATH fds (EBADF): reopen the same file for reading,
  // through /proc/self/fd, which names exactly the file checked above.
  Fd ns;
  int flags = fcntl(probe.get(), F_GETFL);
  if (flags >= 0 && !(flags & O_PATH)) {
    ns = std::move(probe);
  } else {
    std::string self = "/proc/self/fd/" + std::to_string(probe.get());
    ns.reset(::open(self.c_str(), O_RDONLY | O_CLOEXEC));
    // Without /proc, the path again: O_NONBLOCK in case it was replaced by
    // a FIFO meanwhile; the checks below run on what was opened.
    if (!ns && errno == ENOENT && !path.empty())
      ns.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!ns) return failed(errno, "cannot open network namespace");
  }
  // NS_GET_NSTYPE (4.11+) names the namespace type; older kernels answer
  // ENOTTY (qemu-user, which does not pass the ioctl on, ENOSYS), and
  // setns(CLONE_NEWNET) will check the type itself.
  int type = ioctl(ns.get(), NS_GET_NSTYPE);
  if (type >= 0) return type == CLONE_NEWNET ? std::move(ns) : not_netns();
  if (errno != ENOTTY && errno != ENOSYS) return failed(errno, "cannot inspect");
  if (fstatfs(ns.get(), &fs) != 0) return failed(errno, "cannot inspect");
  return fs.f_type == NSFS_MAGIC ? std::move(ns) : not_netns();
}

std::unique_ptr<NetlinkSocket> open_socket_in(int nsfd, int protocol, NlError* err) {
  if (nsfd < 0) return NetlinkSocket::open(protocol, err);
  std::unique_ptr<NetlinkSocket> sock;
  NlError thread_err;
  try {
    std::thread t([&] {
      if (setns(nsfd, CLONE_NEWNET) != 0) {
        set_errno_error(&thread_err, errno, "setns(CLONE_NEWNET)");
        return;
      }
      sock = NetlinkSocket::open(protocol, &thread_err);
      // The thread ends here, inside the namespace: it is never reused.
    });
    t.join();
  } catch (const std::system_error& e) {
    set_errno_error(err, e.code().value(), "cannot start a namespace thread");
    return nullptr;
  }
  if (!sock) *err = thread_err;
  return sock;
}

}  // namespace nlw
