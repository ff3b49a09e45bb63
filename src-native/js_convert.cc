// See js_convert.h.
#include "js_convert.h"

#include <cstdlib>
#include <cstring>
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

namespace {

// Up to this many bytes, a record set's arrays are copied into one
// ArrayBuffer that V8 allocates: lending each of its five or more buffers
// to JS without a copy costs an external buffer and a finalizer apiece,
// more than copying a small reply (most requests: one link, a few
// hundred policies) takes.
constexpr size_t kCopyUpTo = 64 * 1024;

size_t align8(size_t n) {
  return (n + 7) & ~static_cast<size_t>(7);
}

// The arrays of a small set, copied into one ArrayBuffer (views at 8-byte
// aligned offsets, as a BigUint64Array view of the cells needs).
void small_to_js(Napi::Env env, RecordSet& set, Napi::Object o, size_t total) {
  const StringTable& st = set.strings();
  const std::vector<uint32_t>& offs = st.offsets();
  auto& lists = set.string_lists();
  auto& b = set.bytes();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, total);
  auto* base = static_cast<uint8_t*>(ab.Data());
  size_t at = 0;
  auto copy = [&](const void* src, size_t bytes) {
    size_t start = at;
    if (bytes > 0) std::memcpy(base + at, src, bytes);
    at += align8(bytes);
    return start;
  };
  Napi::Array cells = Napi::Array::New(env, set.cells().size());
  for (size_t i = 0; i < set.cells().size(); i++) {
    auto& c = set.cells()[i];
    if (c.size() == 0) continue;
    size_t start = copy(c.data(), c.size() * sizeof(double));
    cells.Set(i, Napi::Float64Array::New(env, c.size(), ab, start));
  }
  o.Set("cells", cells);
  o.Set("strings", Napi::String::New(env, st.blob()));
  size_t start = copy(offs.data(), offs.size() * sizeof(uint32_t));
  o.Set("stringOffsets", Napi::Uint32Array::New(env, offs.size(), ab, start));
  start = copy(lists.data(), lists.size() * sizeof(uint32_t));
  o.Set("stringLists", Napi::Uint32Array::New(env, lists.size(), ab, start));
  start = copy(b.data(), b.size());
  o.Set("blob", Napi::Uint8Array::New(env, b.size(), ab, start));
  set.cells().clear();
}

}  // namespace

Napi::Object records_to_js(Napi::Env env, RecordSet& set) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("root", set.root().id);
  o.Set("count", static_cast<double>(set.count(set.root())));
  size_t total = 0;
  for (auto& c : set.cells()) total += align8(c.size() * sizeof(double));
  total += align8(set.strings().offsets().size() * sizeof(uint32_t));
  total += align8(set.string_lists().size() * sizeof(uint32_t));
  total += align8(set.bytes().size());
  if (total <= kCopyUpTo) {
    small_to_js(env, set, o, total);
    return o;
  }
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
  // A small set's views share one buffer (small_to_js): one detach.
  Napi::Value offsets = records.Get("stringOffsets");
  Napi::Value blob = records.Get("blob");
  if (offsets.IsTypedArray() && blob.IsTypedArray() &&
      offsets.As<Napi::TypedArray>().ArrayBuffer().StrictEquals(
          blob.As<Napi::TypedArray>().ArrayBuffer())) {
    detach(env, offsets);
    return;
  }
  Napi::Value cells = records.Get("cells");
  if (cells.IsArray()) {
    Napi::Array arr = cells.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) detach(env, arr.Get(i));
  }
  detach(env, offsets);
  detach(env, records.Get("stringLists"));
}

}  // namespace nlw
