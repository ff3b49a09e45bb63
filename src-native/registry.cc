// The registries of parsers, operations and constants (registry.h).
#include "registry.h"

namespace nlw {

std::vector<const Parser*>& parser_registry() {
  static std::vector<const Parser*> all;
  return all;
}
std::vector<const Op*>& op_registry() {
  static std::vector<const Op*> all;
  return all;
}
std::vector<std::pair<const char*, double>>& constant_registry() {
  static std::vector<std::pair<const char*, double>> all;
  return all;
}

const Parser* find_parser(const std::string& name) {
  for (const Parser* p : parser_registry())
    if (name == p->name) return p;
  return nullptr;
}

const Op* find_op(const std::string& name) {
  for (const Op* o : op_registry())
    if (name == o->name) return o;
  return nullptr;
}

}  // namespace nlw
