// See args.h.
#include "args.h"

namespace nlw {

const char* arg_kind_name(ArgKind k) {
  switch (k) {
    case ArgKind::U8: return "u8";
    case ArgKind::U16: return "u16";
    case ArgKind::U32: return "u32";
    case ArgKind::Bool: return "bool";
    case ArgKind::Str: return "str";
    case ArgKind::Bytes: return "bytes";
  }
  return "?";
}

}  // namespace nlw
