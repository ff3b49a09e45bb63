// Parses a streamed dump on a second thread while the first keeps reading.
//
// The kernel builds a dump's next datagram inside the recvmsg() that returns
// the current one, so reading and parsing on one thread add up: parsing costs
// 30-50% of the kernel's time (routes, conntrack). With the parse on its own
// thread it overlaps the next recvmsg(). The first datagrams are parsed
// inline: a small reply is cheaper to parse than to hand over (under 16
// concurrent calls, handing over from the second datagram on cost a quarter
// of the soak's throughput: 143 against 181 calls/s); the parse threads
// are kept between dumps (a new thread per dump waited a median 0.9 ms to be
// scheduled on a busy 2-vCPU host, a quarter of a 2 000-policy XFRM dump).
// The threads are the addon's own (thread_pool.h).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "socket.h"
#include "thread_pool.h"

namespace nlw {

class ParsePipeline {
 public:
  // Parses one datagram's data messages; false with `err` set stops the dump.
  using Parse = std::function<bool(const uint8_t* data, size_t len, NlError* err)>;

  // `threads` null: every datagram is parsed on the reader.
  ParsePipeline(AddonThreads* threads, Parse parse) : threads_(threads), parse_(std::move(parse)) {}
  ~ParsePipeline() { stop(false); }
  ParsePipeline(const ParsePipeline&) = delete;
  ParsePipeline& operator=(const ParsePipeline&) = delete;

  // On the reading thread, per datagram (a DatagramSink). False, with `err`
  // set, once a parse has failed: the reader stops there.
  bool push(const uint8_t* data, size_t len, NlError* err);
  // Waits until every pushed datagram is parsed; false with `err` set when a
  // parse failed. Call once the reader is done.
  bool finish(NlError* err);

 private:
  // The parse loop, on a pool thread; returns once stopped and drained.
  void run();
  // Ends the parse loop, after the queued datagrams (`drain`) or dropping
  // them, and waits until the pool thread has left it.
  void stop(bool drain);

  // Datagrams read but not yet parsed: bounds what a slow parse holds.
  static constexpr size_t kMaxQueued = 16;
  // Datagrams parsed on the reader before the parse thread takes over
  // (~128 KiB: a few hundred links, a thousand routes).
  static constexpr size_t kInlineDatagrams = 4;

  AddonThreads* threads_;
  Parse parse_;
  size_t inline_left_ = kInlineDatagrams;
  std::mutex mu_;
  std::condition_variable work_;   // a datagram queued, or stopping
  std::condition_variable space_;  // the queue shrank, the parse failed or ended
  std::deque<std::vector<uint8_t>> queue_;
  std::vector<std::vector<uint8_t>> spare_;  // emptied buffers, reused
  bool inline_ = false;                      // no thread could be started: parse on the reader
  bool started_ = false;                     // run() handed to a pool thread
  bool running_ = false;                     // ... and not returned yet
  bool stopping_ = false;
  bool failed_ = false;
  NlError error_;
};

}  // namespace nlw
