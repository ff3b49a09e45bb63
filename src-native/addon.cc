// N-API bindings only: converting values and scheduling work. Sockets live in
// handle.cc/socket.cc, byte layouts in the parse_*.cc files, policy in lib/.
//
// Every request and subscription runs on the addon's own threads
// (thread_pool.h), which never touch napi_env, and hands its records to JS
// through a NativeStream (stream.h) that JS reads. Per-environment state
// (SetInstanceData) closes a worker thread's handles, stops its streams and
// joins its threads when that thread ends.
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
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "capture.h"
#include "events.h"
#include "fd.h"
#include "handle.h"
#include "js_args.h"
#include "js_convert.h"
#include "netns.h"
#include "record.h"
#include "registry.h"
#include "request_job.h"
#include "stream.h"
#include "subscription.h"
#include "thread_pool.h"

#ifndef NLWRAP_SOURCE_HASH
#define NLWRAP_SOURCE_HASH "unknown"
#endif

namespace nlw {

#ifdef NLWRAP_TEST_SEAMS
// The test build's entry points (test/native/testing.cc): the fake kernel's
// plumbing, exported as binding.testing.
Napi::Object testing_exports(Napi::Env env);
#endif

namespace {

// Handles and streams opened in this environment, closed when the
// environment ends, and the environment's threads, joined then (once every
// job was told to stop): Node unloads the addon with the last environment
// that loaded it, so none may be left in its code.
struct AddonData {
  std::mutex mu;
  std::vector<std::weak_ptr<HandleCore>> handles;
  Napi::FunctionReference handle_ctor;
  Napi::FunctionReference stream_ctor;
  StreamRegistry streams;
  std::shared_ptr<AddonThreads> threads = std::make_shared<AddonThreads>();

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
    streams.stop_all();
    threads->shutdown();
  }
};

// An own property of `o`, or undefined: what JS passes in is never read
// through the prototype chain, where any code in the process could have put
// a `nsPath`.
Napi::Value own(const Napi::Object& o, const char* key) {
  return o.HasOwnProperty(key) ? o.Get(key) : o.Env().Undefined();
}

// Own enumerable string keys only (GetPropertyNames would walk the
// prototype chain like for...in).
Napi::Array own_keys(const Napi::Object& obj) {
  napi_value names;
  napi_status st = napi_get_all_property_names(
      obj.Env(), obj, napi_key_own_only,
      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
      napi_key_numbers_to_strings, &names);
  if (st != napi_ok) throw Napi::Error::New(obj.Env());
  return Napi::Array(obj.Env(), names);
}

// A key the constructor does not know is a TypeError, not ignored: so the
// shipped addon refuses a test build's { fakeKernelFd } instead of opening
// a real socket.
void check_keys(const Napi::Object& opts, std::initializer_list<const char*> known) {
  Napi::Array keys = own_keys(opts);
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    bool ok = false;
    for (const char* name : known) ok = ok || k == name;
    if (!ok) throw Napi::TypeError::New(opts.Env(), "unknown NativeHandle option '" + k + "'");
  }
}

class NativeHandle : public Napi::ObjectWrap<NativeHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeHandle",
                       {InstanceMethod("start", &NativeHandle::Start),
                        InstanceMethod("subscribe", &NativeHandle::Subscribe),
                        InstanceMethod("close", &NativeHandle::Close),
                        InstanceAccessor("closed", &NativeHandle::Closed, nullptr)});
  }

  // new NativeHandle({ nsPath?, nsFd?, protocols }), own properties only;
  // any other key is a TypeError. The test build also takes
  // { fakeKernelFd, protocol, port }: a socketpair end playing the kernel.
  explicit NativeHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject())
      throw Napi::TypeError::New(env, "options object expected");
    Napi::Object opts = info[0].As<Napi::Object>();
    NlError err;
#ifdef NLWRAP_TEST_SEAMS
    Napi::Value fake = own(opts, "fakeKernelFd");
    if (!fake.IsUndefined()) {
      check_keys(opts, {"fakeKernelFd", "protocol", "port"});
      Napi::Value protocol = own(opts, "protocol"), port = own(opts, "port");
      if (!fake.IsNumber() || !protocol.IsNumber() || !port.IsNumber())
        throw Napi::TypeError::New(env, "fakeKernelFd, protocol and port must be numbers");
      core_ = HandleCore::adopt(Fd(fake.As<Napi::Number>().Int32Value()),
                                protocol.As<Napi::Number>().Int32Value(),
                                port.As<Napi::Number>().Uint32Value(), &err);
    } else
#endif
    {
      check_keys(opts, {"nsPath", "nsFd", "protocols"});
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
  // The op's error, if it cannot run on this handle.
  NlError check(const std::string& name, int protocol) {
    NlError err;
    if (!core_ || core_->closed()) {
      err.code = "ERR_HANDLE_CLOSED";
      err.message = "the handle is closed";
    } else if (!core_->has_protocol(protocol)) {
      err.code = "ERR_FAMILY_NOT_OPEN";
      err.message = "this handle was opened without the netlink protocol " +
                    std::to_string(protocol) + " that " + name + " needs";
    }
    return err;
  }

  // start(op, args, timeoutMs, bound) -> NativeStream: the op's records as
  // they arrive; at most `bound` chunks wait for JS (0: no bound, a list).
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsNumber() ||
        !info[3].IsNumber())
      throw Napi::TypeError::New(env, "start(op, args, timeoutMs, bound) expected");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    const Op* op = find_op(name);
    if (op == nullptr) {
      NlError err;
      err.code = "ERR_UNKNOWN_OP";
      err.message = "unknown operation " + name;
      throw to_js_error(env, err, name);
    }
    NlError err = check(name, op->protocol);
    if (err.set()) throw to_js_error(env, err, name);
    ArgsValue args(op->args());
    args_from_js(info[1].As<Napi::Object>(), &args, name);
    int timeout = info[2].As<Napi::Number>().Int32Value();
    double bound = info[3].As<Napi::Number>().DoubleValue();
    AddonData* data = env.GetInstanceData<AddonData>();
    std::unique_ptr<StreamProducer> producer;
    Napi::Object stream = new_stream(
        env, data->stream_ctor, &data->streams, Value(), core_->stop_fds(), name,
        bound >= 1 ? static_cast<size_t>(bound) : SIZE_MAX, Channel::Overflow::Wait, &producer);
    start_request(RequestJob{core_, data->threads, op, std::move(args), timeout},
                  std::move(producer));
    return stream;
  }

  // subscribe({ source, groups, rcvbuf, rcvbufForce, maxQueued }) ->
  // NativeStream of event records. The socket is opened and joined here,
  // before this returns, so a dump started next cannot miss a change made
  // in between.
  Napi::Value Subscribe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject())
      throw Napi::TypeError::New(env, "subscribe(options) expected");
    ArgsValue decoded(SubscribeArgs::spec());
    args_from_js(info[0].As<Napi::Object>(), &decoded, "subscribe");
    const SubscribeArgs& a = decoded.as<SubscribeArgs>();
    const EventSource* source = find_event_source(a.source);
    if (source == nullptr) throw Napi::TypeError::New(env, "subscribe: unknown event source");
    if (a.groups.size() % 4 != 0 || a.rcvbuf > static_cast<uint32_t>(INT32_MAX))
      throw Napi::TypeError::New(env, "subscribe: groups must be u32s and rcvbuf an int");
    NlError err = check("subscribe", source->protocol);
    if (err.set()) throw to_js_error(env, err, "subscribe");
    std::vector<uint32_t> groups(a.groups.size() / 4);
    if (!groups.empty()) std::memcpy(groups.data(), a.groups.data(), a.groups.size());
    EventFilter filter;
    std::string why;
    if (source->filter && !source->filter(a, &filter, &why))
      throw Napi::TypeError::New(env, "subscribe: " + why);
    auto sock = core_->acquire(source->protocol, &err, true);
    if (!sock) throw to_js_error(env, err, "subscribe");
    // The kernel's filter first, so no event that it would drop is queued.
    // Without it (too large for the kernel's optmem) the native filter
    // still decides alone: only slower, never different.
    NlError bpf_err;
    if (!filter.bpf.empty()) sock->attach_filter(filter.bpf.data(), filter.bpf.size(), &bpf_err);
    if (!sock->join_groups(groups, &err) ||
        !sock->set_receive_buffer(static_cast<int>(a.rcvbuf), a.rcvbufForce, &err)) {
      core_->release(std::move(sock));
      throw to_js_error(env, err, "subscribe");
    }
    size_t max_queued = a.maxQueued;
    // A chunk never larger than the queue, so a full queue is the only
    // reason one is dropped.
    size_t chunk = max_queued < 1024 ? max_queued : 1024;
    if (chunk == 0) chunk = 1;
    AddonData* data = env.GetInstanceData<AddonData>();
    std::unique_ptr<StreamProducer> producer;
    Napi::Object stream;
    try {
      stream = new_stream(env, data->stream_ctor, &data->streams, Value(), core_->stop_fds(),
                          "subscribe", max_queued, Channel::Overflow::Drop, &producer);
    } catch (...) {
      core_->release(std::move(sock));
      throw;
    }
    int actual = sock->receive_buffer();
    start_subscription(SubscriptionJob{core_, data->threads, std::move(sock), source, chunk, actual,
                                       std::move(filter.keep)},
                       std::move(producer));
    return stream;
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

// release(records): frees a decoded chunk's buffers now (js_convert.h).
Napi::Value Release(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(env, "release(records) expected");
  release_records(env, info[0].As<Napi::Object>());
  return env.Undefined();
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
  data->stream_ctor = Napi::Persistent(define_stream_class(env));
  exports.Set("NativeHandle", ctor);
  exports.Set("parse", Napi::Function::New(env, Parse, "parse"));
  exports.Set("release", Napi::Function::New(env, Release, "release"));
  exports.Set("schemas", schemas_to_js(env));
  Napi::Object constants = Napi::Object::New(env);
  for (auto& c : constant_registry()) constants.Set(c.first, c.second);
  exports.Set("constants", constants);
  Napi::Array ops = Napi::Array::New(env, op_registry().size());
  Napi::Object op_args = Napi::Object::New(env);
  for (size_t i = 0; i < op_registry().size(); i++) {
    const Op& op = *op_registry()[i];
    ops.Set(i, op.name);
    op_args.Set(op.name, arg_fields_to_js(env, op.args()));
  }
  exports.Set("ops", ops);
  // Each op's declared arguments, and subscribe()'s: what
  // scripts/gen-decoders.ts writes lib/generated/args.ts from.
  exports.Set("opArgs", op_args);
  exports.Set("subscribeArgs", arg_fields_to_js(env, SubscribeArgs::spec()));
  Napi::Array parsers = Napi::Array::New(env, parser_registry().size());
  for (size_t i = 0; i < parser_registry().size(); i++) parsers.Set(i, parser_registry()[i]->name);
  exports.Set("parsers", parsers);
  exports.Set("sourceHash", NLWRAP_SOURCE_HASH);
#ifdef NLWRAP_TEST_SEAMS
  exports.Set("testing", testing_exports(env));
#endif
  return exports;
}

}  // namespace nlw

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return nlw::Init(env, exports);
}
NODE_API_MODULE(nlwrap, InitModule)
