// A growable array of plain values whose growth leaves new elements
// uninitialised, for the two hot buffers: receive room (grown ahead of
// recv(), which overwrites it; zero-filling 64 KiB per datagram showed in
// profiles) and record cells (each record is filled with "absent" at once;
// std::vector's resize(n, value) is an out-of-line call per record).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace nlw {

template <class T>
class PodBuf {
  static_assert(std::is_trivially_copyable<T>::value, "PodBuf holds plain values");

 public:
  PodBuf() = default;
  PodBuf(const PodBuf&) = delete;
  PodBuf& operator=(const PodBuf&) = delete;
  PodBuf(PodBuf&& o) noexcept { swap(o); }
  PodBuf& operator=(PodBuf&& o) noexcept {
    PodBuf tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  ~PodBuf() { std::free(p_); }

  T* data() { return p_; }
  const T* data() const { return p_; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void clear() { n_ = 0; }
  void reserve(size_t n) {
    if (n > cap_) grow(n);
  }
  void resize(size_t n) {
    if (n > cap_) grow(n);
    n_ = n;
  }
  // Room for `n` more elements at the end, uninitialised.
  T* extend(size_t n) {
    size_t at = n_;
    resize(n_ + n);
    return p_ + at;
  }
  void append(const T* p, size_t n) { std::memcpy(extend(n), p, n * sizeof(T)); }
  // Hands over the storage (std::malloc'ed; the caller frees it with
  // std::free) and leaves the buffer empty.
  T* release() {
    T* p = p_;
    p_ = nullptr;
    n_ = cap_ = 0;
    return p;
  }
  void swap(PodBuf& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(cap_, o.cap_);
  }

 private:
  void grow(size_t n) {
    size_t cap = cap_ ? cap_ : 4096 / sizeof(T);
    while (cap < n) cap *= 2;
    void* p = std::realloc(p_, cap * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    p_ = static_cast<T*>(p);
    cap_ = cap;
  }
  T* p_ = nullptr;
  size_t n_ = 0;
  size_t cap_ = 0;
};

using ByteBuf = PodBuf<uint8_t>;

}  // namespace nlw
