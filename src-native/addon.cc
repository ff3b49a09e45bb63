// N-API bindings only: converting values and scheduling work. Sockets live in
// handle.cc/socket.cc, byte layouts in the parse_*.cc files, policy in lib/.
//
// Every request runs in an AsyncWorker: Execute() (a libuv pool thread) does
// the socket I/O and parsing and never touches napi_env; OnOK() (the JS
// thread) hands the parsed records to JS in one object. Per-environment state
// (SetInstanceData) closes a worker thread's handles and joins its parse
// threads when that thread ends.
//
// A worker can be terminated at any point, also while its JS is inside one
// of these functions: from then on every N-API call that needs JS fails.
// binding.gyp defines NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS, so
// node-addon-api then neither aborts (napi_fatal_error) nor throws a C++
// exception out of a callback; the code here calls JS through plain N-API and
// catches everything at each entry point node-addon-api does not wrap.
#include <linux/netlink.h>
#include <napi.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "family.h"
#include "fd.h"
#include "handle.h"
#include "netns.h"
#include "pipeline.h"
#include "record.h"

#ifndef NLWRAP_SOURCE_HASH
#define NLWRAP_SOURCE_HASH "unknown"
#endif

namespace nlw {

// Test-only entry points (testing.cc): the fake kernel's plumbing.
Napi::Object testing_exports(Napi::Env env);

namespace {

// Handles opened in this environment, closed when the environment ends, and
// the environment's parse threads, joined then: Node unloads the addon with
// the last environment that loaded it, so none may be left in its code.
// (Node runs this after the environment's thread-pool work has finished.)
struct AddonData {
  std::mutex mu;
  std::vector<std::weak_ptr<HandleCore>> handles;
  Napi::FunctionReference handle_ctor;
  std::shared_ptr<ParseThreads> parse_threads = std::make_shared<ParseThreads>();

  void track(const std::shared_ptr<HandleCore>& h) {
    std::lock_guard<std::mutex> lock(mu);
    // Drop entries of handles that are gone, so the list stays short.
    std::vector<std::weak_ptr<HandleCore>> live;
    for (auto& w : handles)
      if (!w.expired()) live.push_back(w);
    live.push_back(h);
    handles.swap(live);
  }
  ~AddonData() {
    for (auto& w : handles)
      if (auto h = w.lock()) h->close();
    parse_threads->shutdown();
  }
};

// An own property of `o`, or undefined: what JS passes in is never read
// through the prototype chain, where any code in the process could have put
// a `nsPath` or a `fakeKernelFd`.
Napi::Value own(const Napi::Object& o, const char* key) {
  return o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
}

Napi::Error to_js_error(Napi::Env env, const NlError& e, const std::string& op) {
  Napi::Error err = Napi::Error::New(env, e.message.empty() ? e.code : e.message);
  Napi::Object o = err.Value();
  o.Set("code", e.code);
  o.Set("errno", e.errnum);
  o.Set("op", op);
  if (!e.extack.empty()) o.Set("extack", e.extack);
  return err;
}

// Moves a vector into an ArrayBuffer without copying.
template <class T>
Napi::ArrayBuffer adopt_buffer(Napi::Env env, std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  if (owned->empty()) {
    delete owned;
    return Napi::ArrayBuffer::New(env, 0);
  }
  return Napi::ArrayBuffer::New(
      env, owned->data(), owned->size() * sizeof(T),
      [](Napi::Env, void*, std::vector<T>* p) { delete p; }, owned);
}

// The same for a PodBuf (record cells), whose storage is std::malloc'ed.
// It lets go of the storage only once the ArrayBuffer owns it, so a failed
// New() leaves the buffer to free it.
template <class T>
Napi::ArrayBuffer adopt_buffer(Napi::Env env, PodBuf<T>&& v) {
  size_t bytes = v.size() * sizeof(T);
  if (bytes == 0) return Napi::ArrayBuffer::New(env, 0);
  auto buf = Napi::ArrayBuffer::New(env, v.data(), bytes, [](Napi::Env, void* p) { std::free(p); });
  v.release();
  return buf;
}

// The parsed records, as lib/decode.ts expects them.
Napi::Object records_to_js(Napi::Env env, RecordSet& set) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("root", set.root().id);
  o.Set("count", static_cast<double>(set.count(set.root())));
  Napi::Array cells = Napi::Array::New(env, set.cells().size());
  for (size_t i = 0; i < set.cells().size(); i++) {
    size_t n = set.cells()[i].size();
    if (n == 0) continue;
    cells.Set(i, Napi::Float64Array::New(env, n, adopt_buffer(env, std::move(set.cells()[i])), 0));
  }
  o.Set("cells", cells);
  const StringTable& st = set.strings();
  o.Set("strings", Napi::String::New(env, st.blob()));
  std::vector<uint32_t> offs = st.offsets();
  size_t noffs = offs.size();
  o.Set("stringOffsets", Napi::Uint32Array::New(env, noffs, adopt_buffer(env, std::move(offs)), 0));
  size_t nlists = set.string_lists().size();
  o.Set("stringLists",
        Napi::Uint32Array::New(env, nlists, adopt_buffer(env, std::move(set.string_lists())), 0));
  auto& b = set.bytes();
  o.Set("blob", Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size()));
  return o;
}

// Own enumerable string keys only (GetPropertyNames would walk the
// prototype chain like for...in).
Args args_from_js(const Napi::Object& obj) {
  Args a;
  Napi::Env env = obj.Env();
  napi_value names;
  napi_status st = napi_get_all_property_names(
      env, obj, napi_key_own_only,
      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
      napi_key_numbers_to_strings, &names);
  if (st != napi_ok) throw Napi::Error::New(env);
  Napi::Array keys(env, names);
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value v = obj.Get(k);
    if (v.IsNumber()) {
      a.nums[k] = v.As<Napi::Number>().DoubleValue();
    } else if (v.IsBoolean()) {
      a.nums[k] = v.As<Napi::Boolean>().Value() ? 1 : 0;
    } else if (v.IsString()) {
      a.strs[k] = v.As<Napi::String>().Utf8Value();
    } else if (v.IsTypedArray()) {
      auto t = v.As<Napi::TypedArray>();
      auto* p = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
      a.bufs[k] = std::vector<uint8_t>(p, p + t.ByteLength());
    }
  }
  return a;
}

// One request. When JS passes a chunk callback, root records are handed over
// in chunks while the dump is still being read (OnProgress), so objects are
// built on the JS thread while the kernel fills the next chunks; OnOK then
// resolves with the last chunk and the reply's counters. node-addon-api
// delivers every queued chunk before OnOK.
class CallWorker : public Napi::AsyncProgressQueueWorker<std::shared_ptr<RecordSet>> {
 public:
  // Whatever can fail (N-API calls, while a worker is being terminated) is
  // made by the caller first. Once the base class has created its
  // thread-safe function, a throw from here would free this object, and the
  // function's finalizer would later use it (a use after free ASan found).
  CallWorker(Napi::Env env, Napi::Promise::Deferred deferred, Napi::FunctionReference on_chunk,
             std::shared_ptr<HandleCore> core, std::shared_ptr<ParseThreads> threads, const Op* op,
             Args args, int timeout_ms)
      : Napi::AsyncProgressQueueWorker<std::shared_ptr<RecordSet>>(env, "nlwrap"),
        deferred_(deferred),
        core_(std::move(core)),
        threads_(std::move(threads)),
        op_(op),
        args_(std::move(args)),
        timeout_ms_(timeout_ms),
        records_(op->parser->root()),
        on_chunk_(std::move(on_chunk)) {}

  void Execute(const ExecutionProgress& progress) override {
    auto sock = core_->acquire(op_->protocol, &err_);
    if (!sock) return SetError(err_.code);
    OpContext ctx{sock.get(), args_, timeout_ms_, core_->cancel_fd(), &records_, Reply{}, &err_};
    ctx.threads = threads_.get();
    if (!on_chunk_.IsEmpty()) {
      ctx.emit = [&progress](RecordSet&& chunk) {
        auto p = std::make_shared<RecordSet>(std::move(chunk));
        progress.Send(&p, 1);
      };
    }
    bool ok = op_->run ? op_->run(ctx) : run_request(*op_, ctx);
    core_->release(std::move(sock));
    interrupted_ = ctx.reply.interrupted;
    bytes_ = static_cast<double>(ctx.reply.bytes);
    datagrams_ = static_cast<double>(ctx.reply.datagrams);
    messages_ = static_cast<double>(ctx.reply.messages);
    result_ = ctx.result;
    ctx.reply.data = ByteBuf();
    if (!ok) SetError(err_.code);
  }

  // Called from node-addon-api's thread-safe function, where no wrapper
  // catches a C++ exception: nothing may leave this function. The callback
  // is called through plain N-API: when the worker is being terminated the
  // call fails with the termination pending, and node-addon-api would turn
  // that into a Napi::Error it cannot build (napi_fatal_error).
  void OnProgress(const std::shared_ptr<RecordSet>* chunks, size_t count) override {
    if (on_chunk_.IsEmpty() || chunks == nullptr || chunk_failed_) return;
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      for (size_t i = 0; i < count && !chunk_failed_; i++) {
        napi_value arg = records_to_js(env, *chunks[i]);
        napi_value ret;
        if (napi_call_function(env, env.Undefined(), on_chunk_.Value(), 1, &arg, &ret) == napi_ok)
          continue;
        // The callback threw, or JS cannot run any more: no more chunks
        // either way. OnOK rejects with what was thrown, if it can.
        chunk_failed_ = true;
        bool pending = false;
        napi_value thrown;
        napi_valuetype type;
        if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
            napi_get_and_clear_last_exception(env, &thrown) == napi_ok &&
            napi_typeof(env, thrown, &type) == napi_ok && type == napi_object)
          callback_error_ = Napi::Persistent(Napi::Object(env, thrown));
      }
    } catch (...) {
      chunk_failed_ = true;  // the environment is going away: nobody takes chunks
    }
  }

  // Both settle the promise on the JS thread. When a worker thread is torn
  // down with this call in flight, the work completes inside Node's
  // Environment::CleanupHandles, where JS can no longer run: every N-API call
  // fails. Nobody is left to receive the result then, so it is dropped.
  void OnOK() override {
    try {
      Napi::Env env = Env();
      if (chunk_failed_) {
        deferred_.Reject(callback_error_.IsEmpty()
                             ? Napi::Error::New(env, "the chunk callback failed").Value()
                             : callback_error_.Value());
        return;
      }
      Napi::Object o = records_to_js(env, records_);
      o.Set("interrupted", interrupted_);
      o.Set("bytes", bytes_);
      o.Set("datagrams", datagrams_);
      o.Set("messages", messages_);
      o.Set("result", result_);
      deferred_.Resolve(o);
    } catch (...) {
    }
  }

  void OnError(const Napi::Error&) override {
    try {
      deferred_.Reject(to_js_error(Env(), err_, op_->name).Value());
    } catch (...) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<HandleCore> core_;
  std::shared_ptr<ParseThreads> threads_;
  const Op* op_;
  Args args_;
  int timeout_ms_;
  RecordSet records_;
  NlError err_;
  Napi::FunctionReference on_chunk_;
  Napi::ObjectReference callback_error_;
  bool chunk_failed_ = false;
  bool interrupted_ = false;
  double bytes_ = 0, datagrams_ = 0, messages_ = 0, result_ = 0;
};

class NativeHandle : public Napi::ObjectWrap<NativeHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "NativeHandle",
        {InstanceMethod("call", &NativeHandle::Call), InstanceMethod("close", &NativeHandle::Close),
         InstanceAccessor("closed", &NativeHandle::Closed, nullptr)});
  }

  // new NativeHandle({ nsPath?, nsFd?, protocols }) or, for tests,
  // new NativeHandle({ fakeKernelFd, protocol, port }). Own properties only.
  explicit NativeHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject())
      throw Napi::TypeError::New(env, "options object expected");
    Napi::Object opts = info[0].As<Napi::Object>();
    NlError err;
    Napi::Value fake = own(opts, "fakeKernelFd");
    if (!fake.IsUndefined()) {
      Napi::Value protocol = own(opts, "protocol"), port = own(opts, "port");
      if (!fake.IsNumber() || !protocol.IsNumber() || !port.IsNumber())
        throw Napi::TypeError::New(env, "fakeKernelFd, protocol and port must be numbers");
      core_ = HandleCore::adopt(Fd(fake.As<Napi::Number>().Int32Value()),
                                protocol.As<Napi::Number>().Int32Value(),
                                port.As<Napi::Number>().Uint32Value(), &err);
    } else {
      Napi::Value path = own(opts, "nsPath"), fd = own(opts, "nsFd"), ps = own(opts, "protocols");
      if ((!path.IsUndefined() && !path.IsString()) || (!fd.IsUndefined() && !fd.IsNumber()))
        throw Napi::TypeError::New(env, "nsPath must be a string and nsFd a number");
      if (!ps.IsArray()) throw Napi::TypeError::New(env, "protocols must be an array");
      std::vector<int> protocols;
      Napi::Array arr = ps.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value p = arr.Get(i);
        if (!p.IsNumber()) throw Napi::TypeError::New(env, "protocols must be numbers");
        protocols.push_back(p.As<Napi::Number>().Int32Value());
      }
      // Owned from here: on any failure below, closed once, by its Fd.
      Fd nsfd;
      if (path.IsString() || fd.IsNumber()) {
        nsfd = open_netns(path.IsString() ? path.As<Napi::String>().Utf8Value() : "",
                          fd.IsNumber() ? fd.As<Napi::Number>().Int32Value() : -1, &err);
        if (!nsfd) throw to_js_error(env, err, "open");
      }
      core_ = HandleCore::create(std::move(nsfd), protocols, &err);
    }
    if (!core_) throw to_js_error(env, err, "open");
    env.GetInstanceData<AddonData>()->track(core_);
  }

  ~NativeHandle() override {
    if (core_) core_->close();
  }

 private:
  // call(op, args, timeoutMs, onChunk?) -> Promise<records>
  Napi::Value Call(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsNumber())
      throw Napi::TypeError::New(env, "call(op, args, timeoutMs, onChunk?) expected");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    const Op* op = find_op(name);
    NlError err;
    if (op == nullptr) {
      err.code = "ERR_UNKNOWN_OP";
      err.message = "unknown operation " + name;
    } else if (!core_ || core_->closed()) {
      err.code = "ERR_HANDLE_CLOSED";
      err.message = "the handle is closed";
    } else if (!core_->has_protocol(op->protocol)) {
      err.code = "ERR_FAMILY_NOT_OPEN";
      err.message = "this handle was opened without the netlink protocol " +
                    std::to_string(op->protocol) + " that " + name + " needs";
    }
    if (err.set()) {
      // Only here: a napi_deferred that is never settled keeps its promise
      // alive for good (one leaked Promise per call, found by the leak test).
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Reject(to_js_error(env, err, name).Value());
      return deferred.Promise();
    }
    Args args = args_from_js(info[1].As<Napi::Object>());
    int timeout = info[2].As<Napi::Number>().Int32Value();
    auto threads = env.GetInstanceData<AddonData>()->parse_threads;
    auto deferred = Napi::Promise::Deferred::New(env);
    Napi::FunctionReference on_chunk;
    if (info[3].IsFunction()) on_chunk = Napi::Persistent(info[3].As<Napi::Function>());
    // node-addon-api deletes it once it has completed (its thread-safe
    // function refers to it until then, so it is never deleted here).
    auto* w = new CallWorker(env, deferred, std::move(on_chunk), core_, std::move(threads), op,
                             std::move(args), timeout);
    w->Queue();
    return deferred.Promise();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (core_) core_->close();
    return info.Env().Undefined();
  }

  Napi::Value Closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !core_ || core_->closed());
  }

  std::shared_ptr<HandleCore> core_;
};

// parse(name, buffer) -> records: the parsers on captured bytes.
Napi::Value Parse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "parse(name, Uint8Array) expected");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Parser* parser = find_parser(name);
  if (parser == nullptr) throw Napi::TypeError::New(env, "unknown parser " + name);
  auto buf = info[1].As<Napi::Uint8Array>();
  RecordSet set(parser->root());
  NlError err;
  bool interrupted = false;
  if (!parse_messages(*parser, buf.Data(), buf.ByteLength(), &set, &interrupted, &err))
    throw to_js_error(env, err, "parse." + name);
  Napi::Object o = records_to_js(env, set);
  o.Set("interrupted", interrupted);
  return o;
}

Napi::Array schemas_to_js(Napi::Env env) {
  const auto& all = schema_registry();
  Napi::Array arr = Napi::Array::New(env, all.size());
  static const char* kTypes[] = {"num",  "bool",    "bigint", "str", "bytes",
                                 "list", "variant", "strs",   "obj", "variantobj"};
  for (size_t i = 0; i < all.size(); i++) {
    const Schema& s = *all[i];
    Napi::Object so = Napi::Object::New(env);
    so.Set("name", s.name);
    so.Set("id", s.id);
    so.Set("cells", s.cells);
    Napi::Array fields = Napi::Array::New(env, s.fields.size());
    for (size_t k = 0; k < s.fields.size(); k++) {
      const FieldDef& f = s.fields[k];
      Napi::Object fo = Napi::Object::New(env);
      fo.Set("name", f.name);
      fo.Set("type", kTypes[static_cast<int>(f.type)]);
      fo.Set("cell", f.cell);
      fo.Set("child", f.child);
      if (f.type == FieldType::Variant || f.type == FieldType::VariantObj) {
        Napi::Object variants = Napi::Object::New(env);
        for (const VariantDef& v : variant_registry())
          if (s.name == v.owner && std::strcmp(f.name, v.field) == 0)
            variants.Set(v.key, v.schema().name);
        fo.Set("variants", variants);
      }
      fields.Set(k, fo);
    }
    so.Set("fields", fields);
    arr.Set(i, so);
  }
  return arr;
}

}  // namespace

// Any step can fail when the worker loading the addon is being terminated:
// node-addon-api's module wrapper turns the Napi::Error into a JS exception
// nobody sees (see the top of this file).
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  std::unique_ptr<AddonData> owned(new AddonData());
  env.SetInstanceData<AddonData>(owned.get());
  AddonData* data = owned.release();
  Napi::Function ctor = NativeHandle::Define(env);
  data->handle_ctor = Napi::Persistent(ctor);
  exports.Set("NativeHandle", ctor);
  exports.Set("parse", Napi::Function::New(env, Parse, "parse"));
  exports.Set("schemas", schemas_to_js(env));
  Napi::Object constants = Napi::Object::New(env);
  for (auto& c : constant_registry()) constants.Set(c.first, c.second);
  exports.Set("constants", constants);
  Napi::Array ops = Napi::Array::New(env, op_registry().size());
  for (size_t i = 0; i < op_registry().size(); i++) ops.Set(i, op_registry()[i]->name);
  exports.Set("ops", ops);
  Napi::Array parsers = Napi::Array::New(env, parser_registry().size());
  for (size_t i = 0; i < parser_registry().size(); i++) parsers.Set(i, parser_registry()[i]->name);
  exports.Set("parsers", parsers);
  exports.Set("sourceHash", NLWRAP_SOURCE_HASH);
  exports.Set("testing", testing_exports(env));
  return exports;
}

}  // namespace nlw

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return nlw::Init(env, exports);
}
NODE_API_MODULE(nlwrap, InitModule)
