// The request builder (request.h).
#include "request.h"

#include <linux/netlink.h>

#include <cstring>
#include <limits>

namespace nlw {

namespace {
constexpr size_t kMaxAttrLen = std::numeric_limits<uint16_t>::max();  // nla_len
constexpr size_t kMaxMsgLen = std::numeric_limits<uint32_t>::max();   // nlmsg_len
}  // namespace

RequestBuilder::RequestBuilder(uint16_t type, uint16_t flags) {
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  append(&h, sizeof h);
}

void RequestBuilder::fail(const std::string& why) {
  if (error_.empty()) error_ = why;
}

void RequestBuilder::append(const void* p, size_t n) {
  size_t at = buf_.size();
  buf_.resize(at + NLMSG_ALIGN(n), 0);
  std::memcpy(buf_.data() + at, p, n);
}

RequestBuilder& RequestBuilder::attr(uint16_t type, const void* p, size_t n) {
  if (n > kMaxAttrLen - NLA_HDRLEN)
    fail("attribute " + std::to_string(type & NLA_TYPE_MASK) + " of " + std::to_string(n) +
         " bytes does not fit a netlink attribute (65 531 at most)");
  nlattr a{};
  a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + n);  // only sent when it fit
  a.nla_type = type;
  size_t at = buf_.size();
  buf_.resize(at + NLA_HDRLEN + NLA_ALIGN(n), 0);
  std::memcpy(buf_.data() + at, &a, sizeof a);
  if (n) std::memcpy(buf_.data() + at + NLA_HDRLEN, p, n);
  return *this;
}

size_t RequestBuilder::begin_nest(uint16_t type) {
  size_t at = buf_.size();
  attr(type | NLA_F_NESTED, nullptr, 0);
  return at;
}

RequestBuilder& RequestBuilder::end_nest(size_t token) {
  nlattr a;
  std::memcpy(&a, buf_.data() + token, sizeof a);
  const size_t len = buf_.size() - token;
  if (len > kMaxAttrLen)
    fail("nested attribute " + std::to_string(a.nla_type & NLA_TYPE_MASK) + " of " +
         std::to_string(len) + " bytes does not fit a netlink attribute (65 535 at most)");
  a.nla_len = static_cast<uint16_t>(len);
  std::memcpy(buf_.data() + token, &a, sizeof a);
  return *this;
}

bool RequestBuilder::take(std::vector<uint8_t>* out, std::string* why) {
  if (buf_.size() > kMaxMsgLen)
    fail("request of " + std::to_string(buf_.size()) + " bytes does not fit a netlink message");
  if (!error_.empty()) {
    *why = error_;
    return false;
  }
  nlmsghdr h;
  std::memcpy(&h, buf_.data(), sizeof h);
  h.nlmsg_len = static_cast<uint32_t>(buf_.size());
  std::memcpy(buf_.data(), &h, sizeof h);
  *out = std::move(buf_);
  return true;
}

}  // namespace nlw
