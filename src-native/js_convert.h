// Plain C++ results into JS values, on the JS thread: parsed records (as
// lib/decode.ts reads them) and errors (as lib/errors.ts wraps them).
#pragma once

#include <napi.h>

#include <string>

#include "record.h"
#include "socket.h"

namespace nlw {

// The records' cells, strings and bytes: a small set's copied into one
// ArrayBuffer, a large one's cells moved into JS without a copy. `set` is
// left without its cells.
Napi::Object records_to_js(Napi::Env env, RecordSet& set);

// Detaches the buffers records_to_js lent JS (cells, string offsets and
// lists), so their memory goes back at once instead of at some later GC: a
// stream's chunks are garbage as soon as they are decoded, and until the GC
// ran they held the memory a stream is meant to keep flat. Views of them
// read as empty afterwards; decoded objects never refer to them.
void release_records(Napi::Env env, Napi::Object records);

// An Error with code, errno, op and (when the kernel sent one) extack.
Napi::Error to_js_error(Napi::Env env, const NlError& e, const std::string& op);

}  // namespace nlw
