// Network namespaces: open one, and create sockets inside it.
#pragma once

#include <memory>
#include <string>

#include "fd.h"
#include "socket.h"

namespace nlw {

// Opens the namespace at `path`, or the one `fd` refers to when path is
// empty (`fd` stays the caller's), and checks that it is a network
// namespace: anything else (a FIFO, a regular file, another namespace type)
// fails with EINVAL. Returns a readable O_CLOEXEC fd, or an empty Fd with
// `err` set.
Fd open_netns(const std::string& path, int fd, NlError* err);

// Opens a netlink socket of `protocol` inside the namespace `nsfd` (borrowed:
// the caller keeps owning it), or in the process's own namespace when nsfd
// is -1. A socket stays in the namespace it was created in, so only creation
// needs to happen there: it is done on a fresh thread that enters the
// namespace with setns(2) and then exits, so no thread (the JS thread,
// libuv's pool) ever changes namespace or is reused after switching.
std::unique_ptr<NetlinkSocket> open_socket_in(int nsfd, int protocol, NlError* err);

}  // namespace nlw
