// Kind-specific link data (IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA): one
// decoder per kind, registered from link_kinds.cc and used by parse_link.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attr.h"
#include "record.h"

namespace nlw {

struct LinkKind {
  const char* kind;  // IFLA_INFO_KIND ("vxlan") or slave kind ("bridge")
  const Schema& (*schema)();
  void (*parse)(const Attr& info_data, Rec& out);
};

std::vector<const LinkKind*>& link_kind_registry();
std::vector<const LinkKind*>& link_slave_kind_registry();
const LinkKind* find_link_kind(std::string_view kind);
const LinkKind* find_link_slave_kind(std::string_view kind);

// Registration from a kind file's static initialisers; the kind's schema is
// also declared as a variant of the link record (record.h).
struct RegisterKind {
  explicit RegisterKind(const LinkKind& k) {
    link_kind_registry().push_back(&k);
    variant_registry().push_back({"link", "kindData", k.kind, k.schema});
  }
};
struct RegisterSlaveKind {
  explicit RegisterSlaveKind(const LinkKind& k) {
    link_slave_kind_registry().push_back(&k);
    variant_registry().push_back({"link", "slave", k.kind, k.schema});
  }
};

// "aa:bb:..", or "" for an all-zero or empty address.
std::string mac_string(const uint8_t* p, size_t n);
// Sets field `f` to the MAC in `a`; leaves it null when all zero.
void set_mac(Rec& r, uint16_t f, const Attr& a);

}  // namespace nlw
