// See pipeline.h.
#include "pipeline.h"

namespace nlw {

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
