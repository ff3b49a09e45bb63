// See js_convert.h.
#include "js_convert.h"

#include <cstdlib>
#include <vector>

namespace nlw {

namespace {

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

}  // namespace

Napi::Error to_js_error(Napi::Env env, const NlError& e, const std::string& op) {
  Napi::Error err = Napi::Error::New(env, e.message.empty() ? e.code : e.message);
  Napi::Object o = err.Value();
  o.Set("code", e.code);
  o.Set("errno", e.errnum);
  o.Set("op", op);
  if (!e.extack.empty()) o.Set("extack", e.extack);
  return err;
}

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

namespace {
void detach(Napi::Env env, Napi::Value v) {
  if (!v.IsTypedArray()) return;
  Napi::ArrayBuffer ab = v.As<Napi::TypedArray>().ArrayBuffer();
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && !detached)
    napi_detach_arraybuffer(env, ab);
}
}  // namespace

void release_records(Napi::Env env, Napi::Object records) {
  Napi::Value cells = records.Get("cells");
  if (cells.IsArray()) {
    Napi::Array arr = cells.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) detach(env, arr.Get(i));
  }
  detach(env, records.Get("stringOffsets"));
  detach(env, records.Get("stringLists"));
}

}  // namespace nlw
