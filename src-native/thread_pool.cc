// See thread_pool.h.
#include "thread_pool.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace nlw {

namespace {
// Threads kept between jobs; one exits after some seconds without work.
class AddonThreads {
 public:
  // Never destroyed: idle threads may still wait on it while the process
  // exits.
  static AddonThreads& get() {
    static AddonThreads* pool = new AddonThreads();
    return *pool;
  }

  // Runs `job` on a waiting thread, or a new one when every thread is
  // taken; false when no thread could be started.
  bool submit(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
    if (jobs_.size() <= waiting_) {
      cv_.notify_one();
      return true;
    }
    try {
      std::thread([this] { loop(); }).detach();
    } catch (const std::system_error&) {
      jobs_.pop_back();
      return false;
    }
    return true;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      waiting_++;
      bool got = cv_.wait_for(lock, kIdleExit, [&] { return !jobs_.empty(); });
      waiting_--;
      if (!got) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  static constexpr std::chrono::seconds kIdleExit{10};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  // Threads blocked in wait_for: each queued job needs one of them (a
  // notified thread still counts until it wakes) or a new thread.
  size_t waiting_ = 0;
};
}  // namespace

bool run_on_addon_thread(std::function<void()> job) {
  return AddonThreads::get().submit(std::move(job));
}

}  // namespace nlw
