// A bounded queue from one producer thread (a dump, a subscription) to the
// JS thread, which takes what is queued when JS asks for it (read()).
//
// What the queue holds is what JS has not taken yet, so its bound is the
// backpressure of the whole path:
//   - Overflow::Wait (dumps, streams): a push into a full queue blocks the
//     producer, which stops reading its socket; the kernel builds a dump's
//     next datagram only when the previous one is read, so it waits too.
//   - Overflow::Drop (subscriptions): the producer must keep draining the
//     kernel's buffer, so a chunk that does not fit is dropped and counted
//     in a loss marker queued in its place: loss is never silent, memory
//     stays bounded.
// The producer wakes JS (a thread-safe function call) only when JS waits
// for data and nothing is on its way already: one wake-up per batch of
// chunks, however many the producer queued meanwhile.
//
// A subscription pushes what each wake-up of its socket brought, often one
// event; each chunk has a fixed cost (its vectors, ~10 KiB, and its JS
// arrays), so a consumer that falls behind would hold thousands of one-event
// chunks, many times the size of their records. With merge_up_to(), a chunk
// pushed behind another is appended to it while their sum stays under the
// limit: the queue holds few, full chunks, and memory follows the bound.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "record.h"
#include "socket.h"

namespace nlw {

// One entry of the queue: parsed records, or a loss marker.
struct ChannelItem {
  std::unique_ptr<RecordSet> records;  // null for a loss marker
  // Loss: why ("ENOBUFS": the kernel dropped messages; "QUEUE_OVERFLOW":
  // JS did not take them in time) and how many were dropped (-1: unknown).
  const char* loss = nullptr;
  int64_t dropped = -1;
  size_t weight = 0;  // of `records`, in the producer's unit
};

// How the producer ended, handed to JS after the last item.
struct ChannelEnd {
  bool ok = true;
  NlError err;               // when !ok
  bool cancelled = false;    // the consumer closed the channel
  bool interrupted = false;  // NLM_F_DUMP_INTR seen
  uint64_t bytes = 0, datagrams = 0, messages = 0;
  double result = 0;  // an operation's scalar answer
};

class Channel {
 public:
  enum class Overflow { Wait, Drop };

  // `bound`: total weight of queued records (weights are the producer's
  // unit: chunks for dumps, root records for subscriptions). `wake` runs on
  // the producer's thread and must get JS to call take() soon.
  Channel(size_t bound, Overflow overflow, std::function<void()> wake);
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // ---- producer thread ----
  // Queues `records` of `weight`. Wait: blocks while the queue is full;
  // false once the consumer closed the channel (stop producing). Drop:
  // never blocks; a chunk that does not fit becomes (or grows) a loss
  // marker of `dropped` records; false once closed.
  bool push(std::unique_ptr<RecordSet> records, size_t weight, int64_t dropped_if_lost);
  // Chunks pushed behind a chunk not yet taken are appended to it while
  // their total weight stays at most `weight` (0, the default: never).
  void merge_up_to(size_t weight);
  // A loss the producer saw itself (ENOBUFS): a marker after what is queued.
  void lost(const char* why, int64_t dropped);
  // The last call: nothing is pushed after it. `last`, the producer's
  // final chunk if any, is queued as push() would queue it, under the same
  // wake-up as the end: woken between the two, JS would read twice (a
  // small request's reply and its end then cost two thread hand-offs).
  void finish(ChannelEnd end, std::unique_ptr<RecordSet> last = nullptr, size_t weight = 0,
              int64_t dropped_if_lost = -1);
  bool closed();

  // ---- JS thread ----
  // Moves every queued item into `out`; true (and `end` set) once the
  // producer has finished and everything was taken. `wait`: when nothing
  // was there, the next push wakes JS.
  bool take(std::deque<ChannelItem>* out, ChannelEnd* end, bool wait);
  // The consumer is gone or stopped: wakes a blocked producer, whose pushes
  // fail from now on; what is queued is dropped.
  void close();

 private:
  void wake_locked(std::unique_lock<std::mutex>& lock);
  // push() without the wake-up; false once closed.
  bool queue_locked(std::unique_lock<std::mutex>& lock, std::unique_ptr<RecordSet> records,
                    size_t weight, int64_t dropped_if_lost);

  const size_t bound_;
  const Overflow overflow_;
  size_t merge_limit_ = 0;
  std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<ChannelItem> items_;
  size_t weight_ = 0;     // of the records in items_
  bool waiting_ = false;  // JS waits for a push (take with wait, nothing there)
  bool finished_ = false;
  bool closed_ = false;
  ChannelEnd end_;
};

}  // namespace nlw
