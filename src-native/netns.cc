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
  Fd ns;
  if (!path.empty()) {
    ns.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) {
      set_errno_error(err, errno, "cannot open network namespace " + path);
      return Fd();
    }
  } else {
    ns.reset(fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!ns) {
      set_errno_error(err, errno,
                      "cannot use fd " + std::to_string(fd) + " as a network namespace");
      return Fd();
    }
  }
  // NS_GET_NSTYPE (4.11+) names the namespace type; on older kernels an
  // nsfs file is accepted and setns(CLONE_NEWNET) will check it.
  int type = ioctl(ns.get(), NS_GET_NSTYPE);
  bool is_net = type == CLONE_NEWNET;
  if (type < 0) {
    struct statfs fs;
    is_net = fstatfs(ns.get(), &fs) == 0 && fs.f_type == NSFS_MAGIC;
  }
  if (!is_net) {
    err->code = "EINVAL";
    err->errnum = EINVAL;
    err->message =
        (path.empty() ? "fd " + std::to_string(fd) : path) + " is not a network namespace";
    return Fd();
  }
  return ns;
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
