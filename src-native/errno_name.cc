// errno number -> name ("ENODEV"), for NlError::code. glibc has this only from
// 2.32 (strerrorname_np) and musl not at all, while the prebuilds must run on
// glibc 2.28: the table comes from <errno.h> (errno_names.h, generated).
#include <errno.h>

#include "socket.h"

namespace nlw {

const char* errno_name(int errnum) {
  switch (errnum) {
#define NLW_ERRNO(name) \
  case name:            \
    return #name;
#include "errno_names.h"
#undef NLW_ERRNO
  }
  return "EUNKNOWN";
}

}  // namespace nlw
