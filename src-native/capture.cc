// Captured replies, control messages and all (capture.h).
#include "capture.h"

#include <errno.h>

#include <cstring>

namespace nlw {

bool parse_messages(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out,
                    bool* interrupted, NlError* err) {
  ParseError pe;
  int kernel_error = 0;
  bool ok = for_each_message(data, len, &pe, [&](const Message& m) {
    if (m.hdr().nlmsg_flags & NLM_F_DUMP_INTR) *interrupted = true;
    switch (m.type()) {
      case NLMSG_NOOP:
      case NLMSG_OVERRUN: return true;
      case NLMSG_DONE: return false;
      case NLMSG_ERROR: {
        int32_t e = 0;
        if (m.payload_len() < sizeof e) {
          pe.fail("NLMSG_ERROR shorter than its errno");
          return false;
        }
        std::memcpy(&e, m.payload(), sizeof e);
        kernel_error = e;
        return e == 0;  // an ACK carries 0
      }
      default: parser.parse(m, *out); return !pe;
    }
  });
  if (!ok || pe) {
    err->code = "EBADMSG";
    err->errnum = EBADMSG;
    err->message = std::string("malformed netlink message: ") + (pe.what ? pe.what : "unreadable");
    return false;
  }
  if (kernel_error != 0) {
    set_kernel_error(err, kernel_error);
    return false;
  }
  return true;
}

}  // namespace nlw
