// See thread_pool.h.
#include "thread_pool.h"

#include <sys/prctl.h>

#include <chrono>
#include <system_error>

namespace nlw {

namespace {
// How long a parse thread waits for work before it exits. Not a static
// member: an odr-used one becomes an STB_GNU_UNIQUE symbol, and a library
// defining one is never unloaded (the -O1 sanitizer build did that).
constexpr std::chrono::seconds kIdleExit{10};
}  // namespace

bool AddonThreads::submit(std::function<void()> job) {
  std::vector<std::thread> done;  // joined outside the lock
  bool ok = true;
  // Notified outside the lock too: a thread woken under it would block on
  // the mutex at once and need a second wake-up (and syscall) to go on.
  bool notify = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint64_t id : exited_) {
      auto it = threads_.find(id);
      if (it == threads_.end()) continue;
      done.push_back(std::move(it->second));
      threads_.erase(it);
    }
    exited_.clear();
    if (stopping_) {
      ok = false;
    } else {
      jobs_.push_back(std::move(job));
      if (jobs_.size() <= waiting_) {
        notify = true;
      } else {
        uint64_t id = next_id_++;
        try {
          threads_.emplace(id, std::thread([this, id] { loop(id); }));
        } catch (const std::system_error&) {
          jobs_.pop_back();
          ok = false;
        }
      }
    }
  }
  if (notify) cv_.notify_one();
  for (auto& t : done) t.join();
  return ok;
}

void AddonThreads::shutdown() {
  std::unordered_map<uint64_t, std::thread> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    all.swap(threads_);
    exited_.clear();
  }
  cv_.notify_all();
  for (auto& t : all) t.second.join();
}

void AddonThreads::loop(uint64_t id) {
  // Named, so a test (or a debugger) can tell these threads apart.
  // prctl rather than pthread_setname_np, which glibc 2.34 moved to a newer
  // symbol version than the prebuilds' 2.28 baseline.
  prctl(PR_SET_NAME, "nlwrap");
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    waiting_++;
    cv_.wait_for(lock, kIdleExit, [&] { return stopping_ || !jobs_.empty(); });
    waiting_--;
    if (jobs_.empty()) break;  // idle too long, or shutting down
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  exited_.push_back(id);
}

}  // namespace nlw
