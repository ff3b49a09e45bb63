// Parsing captured bytes (parse.<name>(buf) in JS, the fuzzer): a whole
// reply as the kernel sent it, control messages included, which the socket
// core would otherwise have handled (dump.h parses live replies).
#pragma once

#include <cstddef>
#include <cstdint>

#include "registry.h"
#include "socket.h"

namespace nlw {

// Parses every message of `data` with `parser`. NLMSG_DONE ends it;
// NLMSG_ERROR with an errno becomes that error; NLM_F_DUMP_INTR on any
// message sets *interrupted; malformed bytes become EBADMSG. Returns false
// with err set.
bool parse_messages(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out,
                    bool* interrupted, NlError* err);

}  // namespace nlw
