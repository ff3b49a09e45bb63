// The addon's own threads, one set per addon instance (one Node
// environment: the main thread or a worker). Every request, stream,
// subscription and parse pipeline runs here rather than on libuv's pool,
// whose four threads the process's file, DNS, crypto and zlib work share: a
// 200 000-flow dump (or a subscription that never ends) must not make an
// fs.stat wait.
//
// A job gets a thread of its own for as long as it runs (jobs block on
// sockets and on their consumers, so they never queue behind each other);
// threads are kept some seconds between jobs, since a new thread waited a
// median 0.9 ms to be scheduled on a busy 2-vCPU host. They are joined when
// their environment ends: Node unloads the addon's code with the last
// environment that loaded it, and a thread still parked in that code then
// crashes the process when it wakes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace nlw {

// The threads of one addon instance: as many as jobs ever ran at once; one
// exits after some seconds without work and is joined by the next submit()
// or shutdown().
class AddonThreads {
 public:
  AddonThreads() = default;
  ~AddonThreads() { shutdown(); }
  AddonThreads(const AddonThreads&) = delete;
  AddonThreads& operator=(const AddonThreads&) = delete;

  // Runs `job` on a waiting thread, or a new one when every thread is
  // taken; false when no thread could be started or after shutdown().
  bool submit(std::function<void()> job);
  // Runs the jobs already queued, then joins every thread. Called from the
  // environment's teardown, once every job was told to stop (its handle
  // closed, its stream's consumer gone); later submits fail.
  void shutdown();

 private:
  void loop(uint64_t id);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  // Threads blocked in wait_for: each queued job needs one of them (a
  // notified thread still counts until it wakes) or a new thread.
  size_t waiting_ = 0;
  bool stopping_ = false;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, std::thread> threads_;  // started, not joined
  std::vector<uint64_t> exited_;                       // left loop(): join is quick
};

}  // namespace nlw
