// A producer on the addon's own threads (a dump, a subscription) and the JS
// object that reads what it produces.
//
// JS side, NativeStream: read() -> Promise<{ items, end }> resolves as soon
// as anything is queued (every queued item at once), close() stops the
// producer, ref()/unref() decide whether a running producer keeps the event
// loop alive (a subscription can be unref'ed; a dump always holds it, as
// libuv's own requests do), progress() -> { bytes, datagrams } read from the
// socket so far (with backpressure it stops growing while JS does not read).
// Producer side, StreamProducer: plain C++, no N-API; its channel carries
// the records, its stop fd turns readable when JS closed the stream, and
// finish() is its last call.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "channel.h"
#include "stop_fds.h"

namespace nlw {

class StreamState;

class StreamProducer {
 public:
  explicit StreamProducer(std::shared_ptr<StreamState> state) : state_(std::move(state)) {}
  Channel& channel();
  // Readable once JS closed the stream (poll it beside the socket).
  int stop_fd() const;
  // The producer's last call: the end goes to JS after the queued items,
  // and the stream stops holding the event loop.
  // `last`: the final chunk, handed over with the end (see Channel::finish).
  void finish(ChannelEnd end, std::unique_ptr<RecordSet> last = nullptr, int64_t records = 0);
  // What the producer has read from its socket so far (any thread).
  void progress(uint64_t bytes, uint64_t datagrams);

 private:
  std::shared_ptr<StreamState> state_;
};

// The streams of one environment, so its teardown can stop every producer,
// also one blocked on a consumer that will never read again.
class StreamRegistry {
 public:
  void add(const std::shared_ptr<StreamState>& s);
  // Closes every stream's channel and signals its stop fd.
  void stop_all();

 private:
  std::mutex mu_;
  std::vector<std::weak_ptr<StreamState>> streams_;
  size_t compact_at_ = 64;  // size at which add() drops the entries of streams that are gone
};

// Defines the NativeStream class once per environment (kept in the
// addon's instance data).
Napi::Function define_stream_class(Napi::Env env);

// A new NativeStream object, and the producer that feeds it. `owner` (the
// NativeHandle) stays reachable as long as the stream is; its stop fd comes
// from (and goes back to) `stop_fds`, the owner's; `op` names the operation
// in errors; `bound` and `overflow` as in Channel. Throws a JS error
// (Napi::Error) when the stream cannot be set up.
Napi::Object new_stream(Napi::Env env, const Napi::FunctionReference& ctor,
                        StreamRegistry* registry, Napi::Object owner,
                        const std::shared_ptr<StopFds>& stop_fds, const std::string& op,
                        size_t bound, Channel::Overflow overflow,
                        std::unique_ptr<StreamProducer>* producer);

}  // namespace nlw
