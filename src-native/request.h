// Building requests: a netlink header, a fixed family struct, then
// attributes, nested or not.
//
// Lengths are checked, never wrapped: an attribute or a nest whose length
// does not fit nla_len (65 535 bytes, header included), or a message whose
// length does not fit nlmsg_len (u32), makes take() fail with the reason.
// Appending goes on after a failure, so a builder chain needs no checks
// between its steps; the first failure is the one reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nlw {

class RequestBuilder {
 public:
  RequestBuilder(uint16_t type, uint16_t flags);
  template <class T>
  RequestBuilder& fixed(const T& v) {
    append(&v, sizeof v);
    return *this;
  }
  RequestBuilder& attr(uint16_t type, const void* p, size_t n);
  RequestBuilder& attr_u8(uint16_t type, uint8_t v) { return attr(type, &v, 1); }
  RequestBuilder& attr_u16(uint16_t type, uint16_t v) { return attr(type, &v, 2); }
  RequestBuilder& attr_u32(uint16_t type, uint32_t v) { return attr(type, &v, 4); }
  RequestBuilder& attr_str(uint16_t type, const std::string& s) {
    return attr(type, s.c_str(), s.size() + 1);
  }
  // Nested attributes: begin returns a token for end.
  size_t begin_nest(uint16_t type);
  RequestBuilder& end_nest(size_t token);
  // The finished message, or false with `why` when a length did not fit.
  bool take(std::vector<uint8_t>* out, std::string* why);

 private:
  void append(const void* p, size_t n);
  void fail(const std::string& why);
  std::vector<uint8_t> buf_;
  std::string error_;
};

}  // namespace nlw
