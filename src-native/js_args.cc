// See js_args.h.
#include "js_args.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

namespace nlw {
namespace {

[[noreturn]] void refuse(Napi::Env env, const std::string& what, const std::string& why) {
  throw Napi::TypeError::New(env, what + ": " + why);
}

// The value of an integer kind, or a TypeError.
uint32_t integer(const Napi::Value& v, double max, const std::string& what, const char* name) {
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!v.IsNumber() || !std::isfinite(d) || std::trunc(d) != d || d < 0 || d > max)
    refuse(v.Env(), what,
           std::string("argument '") + name + "' must be an integer from 0 to " +
               std::to_string(static_cast<uint64_t>(max)));
  return static_cast<uint32_t>(d);
}

template <class T>
void put(void* slot, bool optional, T v) {
  if (optional)
    *static_cast<std::optional<T>*>(slot) = std::move(v);
  else
    *static_cast<T*>(slot) = std::move(v);
}

void decode_field(const ArgField& f, const Napi::Value& v, void* args, const std::string& what) {
  void* slot = f.slot(args);
  Napi::Env env = v.Env();
  auto expect = [&](const char* type) {
    refuse(env, what, std::string("argument '") + f.name + "' must be " + type);
  };
  switch (f.kind) {
    case ArgKind::U8:
      put<uint8_t>(slot, f.optional, static_cast<uint8_t>(integer(v, 0xff, what, f.name)));
      break;
    case ArgKind::U16:
      put<uint16_t>(slot, f.optional, static_cast<uint16_t>(integer(v, 0xffff, what, f.name)));
      break;
    case ArgKind::U32: put<uint32_t>(slot, f.optional, integer(v, 0xffffffff, what, f.name)); break;
    case ArgKind::Bool:
      if (!v.IsBoolean()) expect("a boolean");
      put<bool>(slot, f.optional, v.As<Napi::Boolean>().Value());
      break;
    case ArgKind::Str:
      if (!v.IsString()) expect("a string");
      put<std::string>(slot, f.optional, v.As<Napi::String>().Utf8Value());
      break;
    case ArgKind::Bytes: {
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
        expect("a Uint8Array");
      auto t = v.As<Napi::Uint8Array>();
      const uint8_t* p = t.Data();
      put<std::vector<uint8_t>>(slot, f.optional, std::vector<uint8_t>(p, p + t.ByteLength()));
      break;
    }
  }
}

}  // namespace

void args_from_js(const Napi::Object& obj, ArgsValue* out, const std::string& what) {
  Napi::Env env = obj.Env();
  const ArgsSpec& spec = out->spec();
  // Own enumerable string keys only (GetPropertyNames would walk the
  // prototype chain like for...in).
  napi_value names;
  napi_status st = napi_get_all_property_names(
      env, obj, napi_key_own_only,
      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
      napi_key_numbers_to_strings, &names);
  if (st != napi_ok) throw Napi::Error::New(env);
  Napi::Array keys(env, names);
  std::vector<bool> given(spec.fields.size(), false);
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    size_t at = 0;
    while (at < spec.fields.size() && k != spec.fields[at].name) at++;
    if (at == spec.fields.size()) refuse(env, what, "unknown argument '" + k + "'");
    Napi::Value v = obj.Get(k);
    if (v.IsUndefined()) continue;  // as if absent
    decode_field(spec.fields[at], v, out->raw(), what);
    given[at] = true;
  }
  for (size_t i = 0; i < spec.fields.size(); i++)
    if (!given[i] && !spec.fields[i].optional)
      refuse(env, what, std::string("missing argument '") + spec.fields[i].name + "'");
}

Napi::Array arg_fields_to_js(Napi::Env env, const ArgsSpec& spec) {
  Napi::Array arr = Napi::Array::New(env, spec.fields.size());
  for (size_t i = 0; i < spec.fields.size(); i++) {
    const ArgField& f = spec.fields[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", f.name);
    o.Set("type", arg_kind_name(f.kind));
    o.Set("optional", f.optional);
    arr.Set(i, o);
  }
  return arr;
}

}  // namespace nlw
