// See pipeline.h.
#include "pipeline.h"

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

bool ParseThreads::submit(std::function<void()> job) {
  std::vector<std::thread> done;  // joined outside the lock
  bool ok = true;
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
        cv_.notify_one();
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
  for (auto& t : done) t.join();
  return ok;
}

void ParseThreads::shutdown() {
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

void ParseThreads::loop(uint64_t id) {
  // Named, so a test (or a debugger) can tell these threads apart.
  // prctl rather than pthread_setname_np, which glibc 2.34 moved to a newer
  // symbol version than the prebuilds' 2.28 baseline.
  prctl(PR_SET_NAME, "nlwrap-parse");
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

bool ParsePipeline::push(const uint8_t* data, size_t len, NlError* err) {
  if (inline_left_ > 0) {
    inline_left_--;
    return parse_(data, len, err);
  }
  if (!started_ && !inline_) {
    started_ = running_ = true;
    if (threads_ == nullptr || !threads_->submit([this] { run(); })) {
      started_ = running_ = false;
      inline_ = true;
    }
  }
  if (inline_) return parse_(data, len, err);  // no thread to be had: as before pipelining
  std::vector<uint8_t> buf;
  {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return failed_ || queue_.size() < kMaxQueued; });
    if (failed_) {
      *err = error_;
      return false;
    }
    if (!spare_.empty()) {
      buf = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  buf.assign(data, data + len);  // the reader reuses its buffer at once
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(buf));
  }
  work_.notify_one();
  return true;
}

void ParsePipeline::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, nothing left
    std::vector<uint8_t> buf = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    space_.notify_one();
    NlError e;
    bool ok = parse_(buf.data(), buf.size(), &e);
    lock.lock();
    buf.clear();
    spare_.push_back(std::move(buf));
    if (!ok) {
      failed_ = true;
      error_ = std::move(e);
      queue_.clear();
      break;
    }
  }
  // Under the lock: once it is released, stop() may return and the
  // pipeline go away, so nothing after this touches `this`.
  running_ = false;
  space_.notify_all();
}

void ParsePipeline::stop(bool drain) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) return;
  stopping_ = true;
  if (!drain) queue_.clear();
  work_.notify_all();
  space_.wait(lock, [&] { return !running_; });
}

bool ParsePipeline::finish(NlError* err) {
  stop(true);
  if (!failed_) return true;
  *err = error_;
  return false;
}

}  // namespace nlw
