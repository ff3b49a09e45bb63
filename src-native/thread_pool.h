// The addon's own threads. Every request, stream, subscription and parse
// pipeline runs here rather than on libuv's pool, whose four threads the
// process's file, DNS, crypto and zlib work shares: a 200 000-flow dump (or
// a subscription that never ends) must not make an fs.stat wait.
//
// A job gets a thread of its own for as long as it runs (jobs block on
// sockets and on their consumers, so they never queue behind each other);
// threads are kept a few seconds between jobs, since a new thread waited a
// median 0.9 ms to be scheduled on a busy 2-vCPU host.
#pragma once

#include <functional>

namespace nlw {

// Runs `job` on a waiting thread, or a new one when every thread is taken;
// false when no thread could be started.
bool run_on_addon_thread(std::function<void()> job);

}  // namespace nlw
