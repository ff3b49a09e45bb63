// See channel.h.
#include "channel.h"

#include <cstring>
#include <utility>

namespace nlw {

Channel::Channel(size_t bound, Overflow overflow, std::function<void()> wake)
    : bound_(bound == 0 ? 1 : bound), overflow_(overflow), wake_(std::move(wake)) {}

void Channel::wake_locked(std::unique_lock<std::mutex>& lock) {
  if (!waiting_) return;
  waiting_ = false;
  lock.unlock();
  wake_();
}

// Coalesces with a marker of the same cause at the tail, so a consumer that
// stalls through a storm sees one marker with the total, not thousands.
static void add_loss(std::deque<ChannelItem>& items, const char* why, int64_t dropped) {
  if (!items.empty()) {
    ChannelItem& last = items.back();
    if (!last.records && last.loss != nullptr && std::strcmp(last.loss, why) == 0) {
      last.dropped = last.dropped < 0 || dropped < 0 ? -1 : last.dropped + dropped;
      return;
    }
  }
  ChannelItem m;
  m.loss = why;
  m.dropped = dropped;
  items.push_back(std::move(m));
}

bool Channel::push(std::unique_ptr<RecordSet> records, size_t weight, int64_t dropped_if_lost) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!queue_locked(lock, std::move(records), weight, dropped_if_lost)) return false;
  wake_locked(lock);
  return true;
}

bool Channel::queue_locked(std::unique_lock<std::mutex>& lock, std::unique_ptr<RecordSet> records,
                           size_t weight, int64_t dropped_if_lost) {
  // An empty queue takes any chunk, so one larger than the bound still
  // goes through instead of blocking (or being dropped) for ever.
  auto full = [&] { return weight_ > 0 && weight_ + weight > bound_; };
  if (overflow_ == Overflow::Wait) {
    space_.wait(lock, [&] { return closed_ || !full(); });
  } else if (!closed_ && full()) {
    add_loss(items_, "QUEUE_OVERFLOW", dropped_if_lost);
    return true;
  }
  if (closed_) return false;
  if (!items_.empty()) {
    ChannelItem& last = items_.back();
    if (last.records && last.weight + weight <= merge_limit_) {
      last.records->append(*records);
      last.weight += weight;
      weight_ += weight;
      return true;
    }
  }
  ChannelItem item;
  item.records = std::move(records);
  item.weight = weight;
  items_.push_back(std::move(item));
  weight_ += weight;
  return true;
}

void Channel::merge_up_to(size_t weight) {
  std::lock_guard<std::mutex> lock(mu_);
  merge_limit_ = weight;
}

void Channel::lost(const char* why, int64_t dropped) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return;
  add_loss(items_, why, dropped);
  wake_locked(lock);
}

void Channel::finish(ChannelEnd end, std::unique_ptr<RecordSet> last, size_t weight,
                     int64_t dropped_if_lost) {
  std::unique_lock<std::mutex> lock(mu_);
  // A consumer that closed the channel wants neither.
  if (last) (void)queue_locked(lock, std::move(last), weight, dropped_if_lost);
  end_ = std::move(end);
  finished_ = true;
  // The end is news even when JS stopped waiting for data: a closed
  // channel's reader still learns that the producer is done.
  waiting_ = true;
  wake_locked(lock);
}

bool Channel::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

bool Channel::take(std::deque<ChannelItem>* out, ChannelEnd* end, bool wait) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool had = !items_.empty();
  for (auto& item : items_) out->push_back(std::move(item));
  items_.clear();
  if (weight_ > 0) {
    weight_ = 0;
    space_.notify_all();
  }
  if (finished_) {
    *end = end_;
    return true;
  }
  if (!had && wait) waiting_ = true;
  return false;
}

void Channel::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  items_.clear();
  weight_ = 0;
  space_.notify_all();
}

}  // namespace nlw
