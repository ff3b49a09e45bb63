// Bounds-checked walkers over netlink messages and attributes (TLVs).
//
// Every read goes through these types: a parser never indexes raw bytes
// itself. Reads use memcpy, so unaligned input (a Buffer from a test or a
// fuzzer) is fine. A short or overlong length never reads outside the view;
// it records the first problem in a ParseError and yields zeros, and the
// caller turns a recorded problem into an EBADMSG error for the whole reply.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nlw {

// The first thing that was wrong with the bytes, or nullptr.
struct ParseError {
  const char* what = nullptr;
  void fail(const char* why) {
    if (what == nullptr) what = why;
  }
  explicit operator bool() const { return what != nullptr; }
};

inline uint16_t bswap16(uint16_t v) {
  return __builtin_bswap16(v);
}
inline uint32_t bswap32(uint32_t v) {
  return __builtin_bswap32(v);
}
inline uint64_t bswap64(uint64_t v) {
  return __builtin_bswap64(v);
}

// One attribute: its type (flags NLA_F_NESTED / NLA_F_NET_BYTEORDER masked
// off) and its payload.
class Attr {
 public:
  Attr(uint16_t type, const uint8_t* data, size_t len, ParseError* err)
      : type_(type), data_(data), len_(len), err_(err) {}

  uint16_t type() const { return type_; }
  const uint8_t* data() const { return data_; }
  size_t len() const { return len_; }

  // Scalars in host byte order. A payload shorter than the scalar is
  // malformed: recorded, and 0 is returned.
  uint8_t u8() const { return scalar<uint8_t>(); }
  uint16_t u16() const { return scalar<uint16_t>(); }
  uint32_t u32() const { return scalar<uint32_t>(); }
  uint64_t u64() const { return scalar<uint64_t>(); }
  int32_t s32() const { return static_cast<int32_t>(scalar<uint32_t>()); }
  // Scalars in network byte order (ctnetlink, ports).
  uint16_t be16() const { return bswap16(u16()); }
  uint32_t be32() const { return bswap32(u32()); }
  uint64_t be64() const { return bswap64(u64()); }

  // A NUL-terminated string: the bytes up to the first NUL, or the whole
  // payload when the kernel left no NUL.
  std::string_view str() const {
    const void* nul = std::memchr(data_, 0, len_);
    size_t n = nul ? static_cast<const uint8_t*>(nul) - data_ : len_;
    return std::string_view(reinterpret_cast<const char*>(data_), n);
  }

  // A fixed struct at the start of the payload; false (and recorded) when
  // the payload is shorter than the struct.
  template <class T>
  bool get(T* out) const {
    if (len_ < sizeof(T)) {
      err_->fail("attribute shorter than its struct");
      std::memset(out, 0, sizeof(T));
      return false;
    }
    std::memcpy(out, data_, sizeof(T));
    return true;
  }

  ParseError* err() const { return err_; }

 private:
  template <class T>
  T scalar() const {
    T v{};
    if (len_ < sizeof(T)) {
      err_->fail("attribute shorter than its scalar");
      return v;
    }
    std::memcpy(&v, data_, sizeof(T));
    return v;
  }

  uint16_t type_;
  const uint8_t* data_;
  size_t len_;
  ParseError* err_;
};

// A run of attributes, iterated with range-for. A length field that is too
// small or runs past the end stops the iteration and is recorded.
class Attrs {
 public:
  Attrs(const uint8_t* data, size_t len, ParseError* err) : data_(data), len_(len), err_(err) {}
  // The attributes nested inside `a`.
  explicit Attrs(const Attr& a) : Attrs(a.data(), a.len(), a.err()) {}

  class iterator {
   public:
    iterator(const uint8_t* p, size_t left, ParseError* err) : p_(p), left_(left), err_(err) {
      load();
    }
    bool operator!=(const iterator& o) const { return p_ != o.p_; }
    const Attr& operator*() const { return cur_; }
    const Attr* operator->() const { return &cur_; }
    iterator& operator++() {
      size_t step = NLA_ALIGN(cur_len_);
      if (step >= left_) {
        p_ += left_;
        left_ = 0;
      } else {
        p_ += step;
        left_ -= step;
      }
      load();
      return *this;
    }
    const uint8_t* pos() const { return p_; }

   private:
    void load() {
      if (left_ == 0) return;
      nlattr h;
      if (left_ < sizeof(h)) {
        err_->fail("trailing bytes after the last attribute");
        finish();
        return;
      }
      std::memcpy(&h, p_, sizeof(h));
      if (h.nla_len < NLA_HDRLEN || h.nla_len > left_) {
        err_->fail("attribute length out of bounds");
        finish();
        return;
      }
      cur_len_ = h.nla_len;
      cur_ = Attr(h.nla_type & NLA_TYPE_MASK, p_ + NLA_HDRLEN, h.nla_len - NLA_HDRLEN, err_);
    }
    void finish() {
      p_ += left_;
      left_ = 0;
    }
    const uint8_t* p_;
    size_t left_;
    ParseError* err_;
    size_t cur_len_ = 0;
    Attr cur_{0, nullptr, 0, nullptr};
  };

  iterator begin() const { return iterator(data_, len_, err_); }
  iterator end() const { return iterator(data_ + len_, 0, err_); }

 private:
  const uint8_t* data_;
  size_t len_;
  ParseError* err_;
};

// One netlink message: its header, its fixed family header, its attributes.
class Message {
 public:
  Message(const nlmsghdr& h, const uint8_t* start, ParseError* err)
      : hdr_(h), start_(start), err_(err) {}

  const nlmsghdr& hdr() const { return hdr_; }
  uint16_t type() const { return hdr_.nlmsg_type; }
  ParseError* err() const { return err_; }
  const uint8_t* payload() const { return start_ + NLMSG_HDRLEN; }
  size_t payload_len() const {
    return hdr_.nlmsg_len > NLMSG_HDRLEN ? hdr_.nlmsg_len - NLMSG_HDRLEN : 0;
  }

  // Copies the family header (ifinfomsg, rtmsg, ...) that starts the
  // payload. False (and recorded) when the message is too short for it.
  template <class T>
  bool header(T* out) const {
    if (payload_len() < sizeof(T)) {
      err_->fail("message shorter than its family header");
      std::memset(out, 0, sizeof(T));
      return false;
    }
    std::memcpy(out, payload(), sizeof(T));
    return true;
  }

  // The attributes after a family header of `header_len` bytes.
  Attrs attrs(size_t header_len) const {
    size_t off = NLMSG_ALIGN(header_len);
    if (off > payload_len()) return Attrs(payload(), 0, err_);
    return Attrs(payload() + off, payload_len() - off, err_);
  }

 private:
  nlmsghdr hdr_;
  const uint8_t* start_;
  ParseError* err_;
};

// Walks the messages packed in a buffer (one datagram, or several
// concatenated). `fn(const Message&)` returns false to stop. Returns false
// and records the problem when a message header is malformed.
template <class Fn>
bool for_each_message(const uint8_t* data, size_t len, ParseError* err, Fn&& fn) {
  size_t off = 0;
  while (off < len) {
    size_t left = len - off;
    nlmsghdr h;
    if (left < sizeof(h)) {
      err->fail("trailing bytes after the last message");
      return false;
    }
    std::memcpy(&h, data + off, sizeof(h));
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) {
      err->fail("message length out of bounds");
      return false;
    }
    if (!fn(Message(h, data + off, err))) return true;
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    off += step < left ? step : left;
  }
  return true;
}

}  // namespace nlw
