// See stream.h.
#include "stream.h"

#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <utility>

#include "fd.h"
#include "js_convert.h"

namespace nlw {

// Shared by the JS object, the producer and the thread-safe function, so
// whichever goes last frees it. Fields after `tsfn` are the JS thread's.
class StreamState {
 public:
  StreamState(std::string op, size_t bound, Channel::Overflow overflow,
              std::shared_ptr<StopFds> stop_fds, Fd stop)
      : op(std::move(op)),
        stop_fds(std::move(stop_fds)),
        stop(std::move(stop)),
        channel(bound, overflow, [this] { wake(); }) {}

  // Producer thread: gets JS to deliver() soon.
  void wake() {
    std::lock_guard<std::mutex> lock(tsfn_mu);
    if (!tsfn_gone) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
  }

  // Producer thread, its last call.
  void release() {
    std::lock_guard<std::mutex> lock(tsfn_mu);
    if (!tsfn_gone) napi_release_threadsafe_function(tsfn, napi_tsfn_release);
  }

  // JS thread, from the thread-safe function's finalizer. Node deletes a
  // thread-safe function when its environment is torn down (a worker that
  // ends), even while a producer still holds it: from then on the producer
  // must not touch it.
  void tsfn_finalized() {
    std::lock_guard<std::mutex> lock(tsfn_mu);
    tsfn_gone = true;
    tsfn_alive = false;
  }

  // JS thread: settles a waiting read() with what is queued, if anything.
  void deliver(Napi::Env env) {
    if (pending == nullptr) return;
    std::deque<ChannelItem> items;
    ChannelEnd end;
    bool ended = channel.take(&items, &end, true);
    if (items.empty() && !ended) return;  // woken for nothing; still armed
    napi_deferred d = pending;
    pending = nullptr;
    settle(env, d, items, ended ? &end : nullptr);
  }

  // The { items, end } a read() resolves with.
  void settle(Napi::Env env, napi_deferred d, std::deque<ChannelItem>& items,
              const ChannelEnd* end) {
    Napi::HandleScope scope(env);
    Napi::Array arr = Napi::Array::New(env, items.size());
    for (size_t i = 0; i < items.size(); i++) {
      ChannelItem& it = items[i];
      if (it.records) {
        arr.Set(i, records_to_js(env, *it.records));
      } else {
        Napi::Object loss = Napi::Object::New(env);
        loss.Set("loss", it.loss);
        loss.Set("dropped", it.dropped < 0
                                ? env.Null()
                                : Napi::Number::New(env, static_cast<double>(it.dropped)));
        arr.Set(i, loss);
      }
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("items", arr);
    out.Set("end", end ? end_to_js(env, *end) : env.Null());
    napi_resolve_deferred(env, d, out);
  }

  Napi::Value end_to_js(Napi::Env env, const ChannelEnd& e) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ok", e.ok);
    o.Set("cancelled", e.cancelled);
    o.Set("interrupted", e.interrupted);
    o.Set("bytes", static_cast<double>(e.bytes));
    o.Set("datagrams", static_cast<double>(e.datagrams));
    o.Set("messages", static_cast<double>(e.messages));
    o.Set("result", e.result);
    o.Set("error", e.ok ? env.Null() : to_js_error(env, e.err, op).Value());
    return o;
  }

  // Both threads: JS signals the stop fd, the producer gives it back when
  // it ends (a finished dump holds no fd until the GC finds its stream).
  void signal_stop() {
    std::lock_guard<std::mutex> lock(stop_mu);
    uint64_t one = 1;
    if (stop && write(stop.get(), &one, sizeof one) > 0) stop_signaled = true;
  }
  void close_stop() {
    std::lock_guard<std::mutex> lock(stop_mu);
    if (stop) stop_fds->give_back(std::move(stop), stop_signaled);
  }

  const std::string op;
  // Read from the socket so far: written by the producer, read by JS.
  std::atomic<uint64_t> bytes{0}, datagrams{0};
  const std::shared_ptr<StopFds> stop_fds;
  std::mutex stop_mu;
  Fd stop;  // an eventfd: readable once JS closed the stream
  bool stop_signaled = false;
  Channel channel;
  napi_threadsafe_function tsfn = nullptr;
  std::mutex tsfn_mu;
  bool tsfn_gone = false;  // finalized: never call it again (under tsfn_mu)
  napi_deferred pending = nullptr;
  bool tsfn_alive = false;  // until the producer let it go and it was finalized
  bool closed = false;
};

Channel& StreamProducer::channel() {
  return state_->channel;
}
int StreamProducer::stop_fd() const {
  return state_->stop.get();
}

void StreamProducer::progress(uint64_t bytes, uint64_t datagrams) {
  state_->bytes.store(bytes, std::memory_order_relaxed);
  state_->datagrams.store(datagrams, std::memory_order_relaxed);
}

void StreamProducer::finish(ChannelEnd end, std::unique_ptr<RecordSet> last, int64_t records) {
  progress(end.bytes, end.datagrams);
  state_->close_stop();
  state_->channel.finish(std::move(end), std::move(last), 1, records);
  state_->release();
}

namespace {

void call_js(napi_env env, napi_value, void* context, void*) {
  if (env == nullptr) return;  // the environment is going away
  try {
    static_cast<StreamState*>(context)->deliver(Napi::Env(env));
  } catch (const Napi::Error&) {
    // A terminating environment fails every call: nobody reads any more.
  }
}

void finalize_tsfn(napi_env, void* data, void*) {
  auto* holder = static_cast<std::shared_ptr<StreamState>*>(data);
  (*holder)->tsfn_finalized();
  delete holder;
}

class NativeStream : public Napi::ObjectWrap<NativeStream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "NativeStream",
        {InstanceMethod("read", &NativeStream::Read), InstanceMethod("close", &NativeStream::Close),
         InstanceMethod("ref", &NativeStream::Ref), InstanceMethod("unref", &NativeStream::Unref),
         InstanceMethod("progress", &NativeStream::Progress)});
  }

  explicit NativeStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeStream>(info) {}

  // Nobody can read any more: stop the producer (its socket is closed,
  // never left half-read). A waiting read's promise cannot be settled from
  // a finalizer; it goes with its last reference.
  ~NativeStream() override {
    if (state_ && !state_->closed) stop();
  }

  void attach(std::shared_ptr<StreamState> s, Napi::Object owner) {
    state_ = std::move(s);
    owner_ = Napi::Persistent(owner);
  }

 private:
  void stop() {
    state_->closed = true;
    state_->channel.close();
    state_->signal_stop();
  }

  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    napi_deferred d;
    napi_value promise;
    if (napi_create_promise(env, &d, &promise) != napi_ok) return env.Undefined();
    std::deque<ChannelItem> items;
    if (!state_ || state_->closed) {
      ChannelEnd end;
      end.cancelled = true;
      if (state_) state_->settle(env, d, items, &end);
      return Napi::Value(env, promise);
    }
    if (state_->pending != nullptr) {
      NlError e;
      e.code = "ERR_READ_PENDING";
      e.message = "a read() is already waiting on this stream";
      napi_reject_deferred(env, d, to_js_error(env, e, state_->op).Value());
      return Napi::Value(env, promise);
    }
    ChannelEnd end;
    bool ended = state_->channel.take(&items, &end, true);
    if (!items.empty() || ended) {
      state_->settle(env, d, items, ended ? &end : nullptr);
    } else {
      state_->pending = d;
    }
    return Napi::Value(env, promise);
  }

  // Idempotent. A waiting read() resolves with a cancelled end at once.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!state_ || state_->closed) return env.Undefined();
    stop();
    if (state_->pending != nullptr) {
      napi_deferred d = state_->pending;
      state_->pending = nullptr;
      std::deque<ChannelItem> none;
      ChannelEnd end;
      end.cancelled = true;
      state_->settle(env, d, none, &end);
    }
    return env.Undefined();
  }

  Napi::Value Progress(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    uint64_t bytes = state_ ? state_->bytes.load(std::memory_order_relaxed) : 0;
    uint64_t datagrams = state_ ? state_->datagrams.load(std::memory_order_relaxed) : 0;
    o.Set("bytes", static_cast<double>(bytes));
    o.Set("datagrams", static_cast<double>(datagrams));
    return o;
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (state_ && state_->tsfn_alive) napi_ref_threadsafe_function(info.Env(), state_->tsfn);
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (state_ && state_->tsfn_alive) napi_unref_threadsafe_function(info.Env(), state_->tsfn);
    return info.Env().Undefined();
  }

  std::shared_ptr<StreamState> state_;
  // The NativeHandle that started it: a handle that is garbage-collected
  // closes its sockets, so a stream someone still reads keeps it alive.
  Napi::ObjectReference owner_;
};

}  // namespace

Napi::Function define_stream_class(Napi::Env env) {
  return NativeStream::Define(env);
}

void StreamRegistry::add(const std::shared_ptr<StreamState>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  // Entries of streams that are gone are dropped once the list has doubled
  // since the last time: a stream lives until the GC finds it, so thousands
  // may be waiting, and walking them on every request cost more than the
  // request's own parsing.
  if (streams_.size() >= compact_at_) {
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                  [](const std::weak_ptr<StreamState>& w) { return w.expired(); }),
                   streams_.end());
    compact_at_ = std::max<size_t>(64, 2 * streams_.size());
  }
  streams_.push_back(s);
}

void StreamRegistry::stop_all() {
  std::vector<std::weak_ptr<StreamState>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(streams_);
  }
  for (auto& w : all) {
    if (auto s = w.lock()) {
      s->channel.close();
      s->signal_stop();
    }
  }
}

Napi::Object new_stream(Napi::Env env, const Napi::FunctionReference& ctor,
                        StreamRegistry* registry, Napi::Object owner,
                        const std::shared_ptr<StopFds>& stop_fds, const std::string& op,
                        size_t bound, Channel::Overflow overflow,
                        std::unique_ptr<StreamProducer>* producer) {
  Fd stop = stop_fds->take();
  if (!stop) {
    NlError e;
    set_errno_error(&e, errno, "eventfd");
    throw to_js_error(env, e, op);
  }
  auto state = std::make_shared<StreamState>(op, bound, overflow, stop_fds, std::move(stop));
  // The object first: once the thread-safe function exists, only the
  // producer's finish() lets it (and the event loop) go.
  Napi::Object obj = ctor.New({});
  auto* holder = new std::shared_ptr<StreamState>(state);
  napi_value name;
  napi_create_string_utf8(env, "nlwrap", NAPI_AUTO_LENGTH, &name);
  napi_status st = napi_create_threadsafe_function(
      env, nullptr, nullptr, name, 0, 1, holder, finalize_tsfn, state.get(), call_js, &state->tsfn);
  if (st != napi_ok) {
    delete holder;
    NlError e;
    e.code = "ERR_NAPI";
    e.message = "cannot create a thread-safe function";
    throw to_js_error(env, e, op);
  }
  state->tsfn_alive = true;
  NativeStream::Unwrap(obj)->attach(state, owner);
  registry->add(state);
  *producer = std::make_unique<StreamProducer>(state);
  return obj;
}

}  // namespace nlw
