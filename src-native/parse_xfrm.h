// The XFRM objects of parse_xfrm.cc, for messages that carry them inside
// another struct or attribute (events_xfrm.cc: a deleted SA's
// xfrm_usersa_info in XFRMA_SA, an expire's state, an acquire's policy).
// Each writes one record into `out` and returns its index; `attrs` are the
// attributes that describe the object (algorithms, templates, marks).
#pragma once

#include <linux/xfrm.h>

#include "attr.h"
#include "record.h"

namespace nlw {

size_t emit_xfrm_policy(const xfrm_userpolicy_info& p, Attrs attrs, RecordSet& out);
size_t emit_xfrm_state(const xfrm_usersa_info& p, Attrs attrs, RecordSet& out);
// A selector of AF_UNSPEC is read with `family` (the SA's), as the kernel does.
size_t emit_xfrm_selector(const xfrm_selector& s, int family, RecordSet& out);

}  // namespace nlw
