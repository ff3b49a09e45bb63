// N-API bindings only: converting values and scheduling work. Sockets live in
// handle.cc/socket.cc, byte layouts in the parse_*.cc files, policy in lib/.
//
// Every request and subscription runs on the addon's own threads
// (thread_pool.h), which never touch napi_env, and hands its records to JS
// through a NativeStream (stream.h) that JS reads. Per-environment state
// (SetInstanceData) closes a worker thread's handles when that thread ends.
#include <linux/netlink.h>
#include <napi.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "events.h"
#include "family.h"
#include "handle.h"
#include "js_convert.h"
#include "netns.h"
#include "record.h"
#include "request_job.h"
#include "stream.h"
#include "subscription.h"

#ifndef NLWRAP_SOURCE_HASH
#define NLWRAP_SOURCE_HASH "unknown"
#endif

namespace nlw {

// Test-only entry points (testing.cc): the fake kernel's plumbing.
Napi::Object testing_exports(Napi::Env env);

namespace {

// Handles opened in this environment, closed when the environment ends.
struct AddonData {
  std::mutex mu;
  std::vector<std::weak_ptr<HandleCore>> handles;
  Napi::FunctionReference handle_ctor;
  Napi::FunctionReference stream_ctor;

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
  }
};

Args args_from_js(const Napi::Object& obj) {
  Args a;
  Napi::Array keys = obj.GetPropertyNames();
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

class NativeHandle : public Napi::ObjectWrap<NativeHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeHandle",
                       {InstanceMethod("start", &NativeHandle::Start),
                        InstanceMethod("subscribe", &NativeHandle::Subscribe),
                        InstanceMethod("close", &NativeHandle::Close),
                        InstanceAccessor("closed", &NativeHandle::Closed, nullptr)});
  }

  // new NativeHandle({ nsPath?, nsFd?, protocols }) or, for tests,
  // new NativeHandle({ fakeKernelFd, protocol, port }).
  explicit NativeHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeHandle>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "options object expected").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object opts = info[0].As<Napi::Object>();
    NlError err;
    if (opts.Has("fakeKernelFd")) {
      core_ = HandleCore::adopt(opts.Get("fakeKernelFd").As<Napi::Number>().Int32Value(),
                                opts.Get("protocol").As<Napi::Number>().Int32Value(),
                                opts.Get("port").As<Napi::Number>().Uint32Value());
    } else {
      int nsfd = -1;
      if (opts.Has("nsPath") || opts.Has("nsFd")) {
        std::string path =
            opts.Has("nsPath") ? opts.Get("nsPath").As<Napi::String>().Utf8Value() : "";
        int fd = opts.Has("nsFd") ? opts.Get("nsFd").As<Napi::Number>().Int32Value() : -1;
        nsfd = open_netns(path, fd, &err);
        if (nsfd < 0) {
          to_js_error(env, err, "open").ThrowAsJavaScriptException();
          return;
        }
      }
      std::vector<int> protocols;
      Napi::Array ps = opts.Get("protocols").As<Napi::Array>();
      for (uint32_t i = 0; i < ps.Length(); i++)
        protocols.push_back(ps.Get(i).As<Napi::Number>().Int32Value());
      core_ = HandleCore::create(nsfd, protocols, &err);
      if (!core_) {
        if (nsfd >= 0) ::close(nsfd);
        to_js_error(env, err, "open").ThrowAsJavaScriptException();
        return;
      }
    }
    env.GetInstanceData<AddonData>()->track(core_);
  }

  ~NativeHandle() override {
    if (core_) core_->close();
  }

 private:
  // start(op, args, timeoutMs, bound) -> NativeStream: the op's records as
  // they arrive; at most `bound` chunks wait for JS (0: no bound, a list).
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
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
    if (err.set()) throw to_js_error(env, err, name);
    Args args = args_from_js(info[1].As<Napi::Object>());
    int timeout = info[2].As<Napi::Number>().Int32Value();
    double bound = info[3].As<Napi::Number>().DoubleValue();
    std::unique_ptr<StreamProducer> producer;
    Napi::Object stream = new_stream(env, env.GetInstanceData<AddonData>()->stream_ctor, Value(),
                                     name, bound >= 1 ? static_cast<size_t>(bound) : SIZE_MAX,
                                     Channel::Overflow::Wait, &producer);
    start_request(RequestJob{core_, op, std::move(args), timeout}, std::move(producer));
    return stream;
  }

  // subscribe({ source, protocol, groups, rcvbuf, rcvbufForce, maxQueued,
  // chunkEvents }) -> NativeStream of event records. The socket is opened
  // and joined here, before this returns, so a dump started next cannot
  // miss a change made in between.
  Napi::Value Subscribe(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Args a = args_from_js(info[0].As<Napi::Object>());
    const std::string* source_name = a.str("source");
    const EventSource* source = source_name ? find_event_source(*source_name) : nullptr;
    NlError err;
    if (source == nullptr) {
      err.code = "ERR_UNKNOWN_OP";
      err.message = "unknown event source";
    } else if (!core_ || core_->closed()) {
      err.code = "ERR_HANDLE_CLOSED";
      err.message = "the handle is closed";
    } else if (!core_->has_protocol(source->protocol)) {
      err.code = "ERR_FAMILY_NOT_OPEN";
      err.message = "this handle was opened without the netlink protocol " +
                    std::to_string(source->protocol) + " that this subscription needs";
    }
    if (err.set()) throw to_js_error(env, err, "subscribe");
    std::vector<uint32_t> groups;
    const std::vector<uint8_t>* g = a.buf("groups");
    if (g) {
      for (size_t i = 0; i + 4 <= g->size(); i += 4) {
        uint32_t v;
        std::memcpy(&v, g->data() + i, 4);
        groups.push_back(v);
      }
    }
    auto sock = core_->acquire(source->protocol, &err, true);
    if (!sock) throw to_js_error(env, err, "subscribe");
    int rcvbuf = static_cast<int>(a.num("rcvbuf", 0));
    if (!sock->join_groups(groups, &err) ||
        !sock->set_receive_buffer(rcvbuf, a.num("rcvbufForce", 0) != 0, &err)) {
      core_->release(std::move(sock));
      throw to_js_error(env, err, "subscribe");
    }
    size_t max_queued = static_cast<size_t>(a.num("maxQueued", 4096));
    size_t chunk = static_cast<size_t>(a.num("chunkEvents", 1024));
    if (chunk > max_queued) chunk = max_queued;
    if (chunk == 0) chunk = 1;
    std::unique_ptr<StreamProducer> producer;
    Napi::Object stream;
    try {
      stream = new_stream(env, env.GetInstanceData<AddonData>()->stream_ctor, Value(), "subscribe",
                          max_queued, Channel::Overflow::Drop, &producer);
    } catch (...) {
      core_->release(std::move(sock));
      throw;
    }
    int actual = sock->receive_buffer();
    start_subscription(SubscriptionJob{core_, std::move(sock), source, chunk, actual},
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
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const Parser* parser = find_parser(name);
  if (parser == nullptr) {
    Napi::TypeError::New(env, "unknown parser " + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[1].As<Napi::Uint8Array>();
  RecordSet set(parser->root());
  NlError err;
  bool interrupted = false;
  if (!parse_messages(*parser, buf.Data(), buf.ByteLength(), &set, &interrupted, &err)) {
    to_js_error(env, err, "parse." + name).ThrowAsJavaScriptException();
    return env.Undefined();
  }
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
      fields.Set(k, fo);
    }
    so.Set("fields", fields);
    arr.Set(i, so);
  }
  return arr;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function ctor = NativeHandle::Define(env);
  data->handle_ctor = Napi::Persistent(ctor);
  data->stream_ctor = Napi::Persistent(define_stream_class(env));
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
