// See pipeline.h.
#include "pipeline.h"

namespace nlw {

bool ParsePipeline::push(const uint8_t* data, size_t len, NlError* err) {
  if (!parsed_first_) {
    parsed_first_ = true;
    return parse_(data, len, err);
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
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
  for (;;) {
    std::vector<uint8_t> buf;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      buf = std::move(queue_.front());
      queue_.pop_front();
    }
    space_.notify_one();
    NlError e;
    bool ok = parse_(buf.data(), buf.size(), &e);
    {
      std::lock_guard<std::mutex> lock(mu_);
      buf.clear();
      spare_.push_back(std::move(buf));
      if (!ok) {
        failed_ = true;
        error_ = std::move(e);
        queue_.clear();
      }
    }
    if (!ok) {
      space_.notify_all();
      return;
    }
  }
}

void ParsePipeline::stop(bool drain) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (!drain) queue_.clear();
  }
  work_.notify_all();
  thread_.join();
}

bool ParsePipeline::finish(NlError* err) {
  stop(true);
  if (!failed_) return true;
  *err = error_;
  return false;
}

}  // namespace nlw
