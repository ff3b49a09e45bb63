// The test build's entry points (binding.testing of build/Release/test/
// nlwrap_test.node, binding.gyp's nlwrap_test; never in the shipped addon):
// the plumbing of the fake kernel in test/helpers/fake-kernel.ts. Node cannot
// make a socketpair or a raw netlink socket itself, so these few calls do it.
//
//   socketpair()              -> [coreFd, peerFd]: AF_UNIX SOCK_DGRAM pair.
//                                The core end goes to new NativeHandle({
//                                fakeKernelFd }); the test plays the kernel
//                                on the (non-blocking) peer end.
//   recv(fd)                  -> Buffer | null: one whole datagram, null
//                                when none is waiting; throws with `code`.
//   send(fd, buf)             -> bytes sent; throws with `code` (ECONNREFUSED
//                                once the core closed its end).
//   close(fd)
//   netlinkSocket(nsPath, rcvbuf) -> { fd, port }: a real NETLINK_ROUTE
//                                socket in a namespace with a tiny receive
//                                buffer, to provoke ENOBUFS from the kernel.
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <napi.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "fd.h"
#include "socket.h"

namespace nlw {
namespace {

Napi::Error errno_error(Napi::Env env, int e, const std::string& what) {
  Napi::Error err = Napi::Error::New(env, what + ": " + strerror(e));
  err.Value().Set("code", errno_name(e));
  err.Value().Set("errno", e);
  return err;
}

Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
    throw errno_error(env, errno, "socketpair");
  Fd core(sv[0]), peer(sv[1]);
  // Room for a reply far bigger than the kernel's 32 KiB dump chunks.
  int big = 8 << 20;
  for (int fd : sv) {
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big))
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big))
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  }
  fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, sv[0]);
  out.Set(1u, sv[1]);
  // JS owns both ends from here (closed with testing.close or a handle).
  core.release();
  peer.release();
  return out;
}

Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  ssize_t n;
  do n = ::recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN) return env.Null();
    throw errno_error(env, errno, "recv");
  }
  auto buf = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(n));
  ssize_t got;
  do got = ::recv(fd, buf.Data(), static_cast<size_t>(n), MSG_DONTWAIT);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    if (errno == EAGAIN) return env.Null();
    throw errno_error(env, errno, "recv");
  }
  return buf;
}

Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  auto buf = info[1].As<Napi::Uint8Array>();
  ssize_t w;
  do w = ::send(fd, buf.Data(), buf.ByteLength(), MSG_DONTWAIT | MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0) throw errno_error(env, errno, "send");
  return Napi::Number::New(env, static_cast<double>(w));
}

// Takes back an fd handed to JS above, and closes it.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Fd(info[0].As<Napi::Number>().Int32Value()).reset();
  return info.Env().Undefined();
}

Napi::Value NetlinkSocketIn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  int rcvbuf = info[1].As<Napi::Number>().Int32Value();
  Fd sock;
  int e = 0;
  uint32_t port = 0;
  auto make = [&] {
    sock.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    int fd = sock.get();
    if (fd < 0) {
      e = errno;
      return;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    socklen_t len = sizeof sa;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) {
      e = errno;
      sock.reset();
      return;
    }
    port = sa.nl_pid;
  };
  if (path.empty()) {
    make();
  } else {
    Fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw errno_error(env, errno, "open " + path);
    // A throwaway thread enters the namespace, as netns.cc does.
    std::thread t([&] {
      if (setns(ns.get(), CLONE_NEWNET) != 0) {
        e = errno;
        return;
      }
      make();
    });
    t.join();
  }
  if (!sock) throw errno_error(env, e, "netlink socket");
  Napi::Object o = Napi::Object::New(env);
  o.Set("fd", sock.get());
  o.Set("port", port);
  sock.release();  // JS owns it from here (testing.close)
  return o;
}

}  // namespace

Napi::Object testing_exports(Napi::Env env) {
  Napi::Object t = Napi::Object::New(env);
  t.Set("socketpair", Napi::Function::New(env, SocketPair, "socketpair"));
  t.Set("recv", Napi::Function::New(env, Recv, "recv"));
  t.Set("send", Napi::Function::New(env, Send, "send"));
  t.Set("close", Napi::Function::New(env, Close, "close"));
  t.Set("netlinkSocket", Napi::Function::New(env, NetlinkSocketIn, "netlinkSocket"));
  return t;
}

}  // namespace nlw
