// Checks src-native/request.cc's length checks: an attribute or a nest whose
// length does not fit nla_len fails take() with a reason and is never sent
// with a wrapped length; what fits is laid out exactly. Built and run by
// test/request-builder.test.ts; prints "ok" or the first failure.
#include <linux/netlink.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../../src-native/request.h"

namespace {

int failures = 0;

void expect(bool cond, const char* what) {
  if (!cond) {
    std::printf("FAIL: %s\n", what);
    failures++;
  }
}

uint16_t u16_at(const std::vector<uint8_t>& b, size_t off) {
  uint16_t v;
  std::memcpy(&v, b.data() + off, 2);
  return v;
}

uint32_t u32_at(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

}  // namespace

int main() {
  using nlw::RequestBuilder;
  std::vector<uint8_t> out;
  std::string why;

  // The largest attribute that fits: 65 531 bytes of payload, nla_len 65 535.
  {
    std::vector<uint8_t> payload(65531, 0xab);
    RequestBuilder b(18, NLM_F_DUMP);
    expect(b.attr(1, payload.data(), payload.size()).take(&out, &why),
           "65 531-byte attribute fits");
    expect(u16_at(out, NLMSG_HDRLEN) == 65535, "its nla_len is 65 535");
    expect(u32_at(out, 0) == out.size(), "nlmsg_len is the message's size");
  }
  // One byte more: refused, not wrapped to a short length.
  {
    std::vector<uint8_t> payload(65532, 0xab);
    RequestBuilder b(18, NLM_F_DUMP);
    why.clear();
    out.clear();
    expect(!b.attr(1, payload.data(), payload.size()).take(&out, &why),
           "65 532-byte attribute refused");
    expect(why.find("does not fit") != std::string::npos, "the reason says it does not fit");
    expect(out.empty(), "nothing taken");
  }
  // A nest of attributes that fit one by one but not together.
  {
    std::vector<uint8_t> payload(40000, 1);
    RequestBuilder b(18, NLM_F_DUMP);
    size_t n = b.begin_nest(5);
    b.attr(1, payload.data(), payload.size()).attr(2, payload.data(), payload.size());
    b.end_nest(n);
    why.clear();
    expect(!b.take(&out, &why), "an 80 000-byte nest refused");
    expect(why.find("nested attribute 5") != std::string::npos, "the reason names the nest");
  }
  // A nest that fits: its length covers its header and children, flag kept.
  {
    RequestBuilder b(18, NLM_F_DUMP);
    size_t n = b.begin_nest(5);
    b.attr_u32(1, 7).attr_u16(2, 9);
    b.end_nest(n);
    expect(b.take(&out, &why), "a small nest fits");
    expect(u16_at(out, NLMSG_HDRLEN) == NLA_HDRLEN + 8 + 8, "nest length is header + children");
    expect(u16_at(out, NLMSG_HDRLEN + 2) == (5 | NLA_F_NESTED), "nest type carries NLA_F_NESTED");
  }
  // The first failure is the one reported; later ones do not replace it.
  {
    std::vector<uint8_t> payload(70000, 0);
    RequestBuilder b(18, NLM_F_DUMP);
    b.attr(3, payload.data(), payload.size()).attr(4, payload.data(), payload.size());
    why.clear();
    expect(!b.take(&out, &why), "two oversized attributes refused");
    expect(why.find("attribute 3 ") != std::string::npos, "the first failure is reported");
  }
  if (failures) return 1;
  std::printf("ok\n");
  return 0;
}
