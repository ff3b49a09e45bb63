// Typed operation arguments. Each operation declares the struct it takes
// with NLW_ARGS, once; the boundary (addon.cc, js_args.cc) decodes the JS
// object into that struct and refuses, with a TypeError, any key it does not
// declare, any required key that is missing and any value of the wrong type
// or range: nothing is defaulted. The same declaration is exported to
// scripts/gen-decoders.ts, which writes the TypeScript argument types
// (lib/generated/args.ts), so the two sides cannot drift apart.
//
//   #define LINK_GET_ARGS(F) F(index, U32, Opt) F(name, Str, Opt)
//   NLW_ARGS(LinkGetArgs, LINK_GET_ARGS)
// declares struct LinkGetArgs { std::optional<uint32_t> index;
// std::optional<std::string> name; static const ArgsSpec& spec(); }.
// Kinds: U8, U16, U32 (integers in the type's range), Bool, Str, Bytes (a
// Uint8Array); presence: Req (must be given) or Opt (std::optional; absent
// or undefined is empty).
//
// Nothing here depends on N-API, so the ops build into the fuzzer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace nlw {

enum class ArgKind : uint8_t { U8, U16, U32, Bool, Str, Bytes };
const char* arg_kind_name(ArgKind k);  // "u8", ... as the TS generator reads it

template <ArgKind K>
struct ArgValue;
template <>
struct ArgValue<ArgKind::U8> {
  using type = uint8_t;
};
template <>
struct ArgValue<ArgKind::U16> {
  using type = uint16_t;
};
template <>
struct ArgValue<ArgKind::U32> {
  using type = uint32_t;
};
template <>
struct ArgValue<ArgKind::Bool> {
  using type = bool;
};
template <>
struct ArgValue<ArgKind::Str> {
  using type = std::string;
};
template <>
struct ArgValue<ArgKind::Bytes> {
  using type = std::vector<uint8_t>;
};

constexpr bool Req = false;
constexpr bool Opt = true;
template <ArgKind K, bool Optional>
using arg_member_t = std::conditional_t<Optional, std::optional<typename ArgValue<K>::type>,
                                        typename ArgValue<K>::type>;

struct ArgField {
  const char* name;
  ArgKind kind;
  bool optional;
  // The member in an instance of the struct: an arg_member_t<kind, optional>.
  void* (*slot)(void* args);
};

struct ArgsSpec {
  const char* name;  // the struct's name
  std::vector<ArgField> fields;
  void* (*make)();
  void (*destroy)(void*);
};

// One decoded argument struct of any spec, owned.
class ArgsValue {
 public:
  explicit ArgsValue(const ArgsSpec& spec) : spec_(&spec), p_(spec.make()) {}
  ~ArgsValue() {
    if (p_) spec_->destroy(p_);
  }
  ArgsValue(ArgsValue&& o) noexcept : spec_(o.spec_), p_(std::exchange(o.p_, nullptr)) {}
  ArgsValue& operator=(ArgsValue&&) = delete;
  ArgsValue(const ArgsValue&) = delete;
  ArgsValue& operator=(const ArgsValue&) = delete;

  const ArgsSpec& spec() const { return *spec_; }
  void* raw() { return p_; }
  // The struct; T must be the spec's own (typed_op in registry.h pairs them).
  template <class T>
  const T& as() const {
    return *static_cast<const T*>(p_);
  }

 private:
  const ArgsSpec* spec_;
  void* p_;
};

}  // namespace nlw

#define NLW_ARG_MEMBER(name, kind, presence) \
  ::nlw::arg_member_t<::nlw::ArgKind::kind, ::nlw::presence> name{};
#define NLW_ARG_FIELD(name, kind, presence)                     \
  ::nlw::ArgField{#name, ::nlw::ArgKind::kind, ::nlw::presence, \
                  [](void* o) -> void* { return &static_cast<Self*>(o)->name; }},
#define NLW_ARGS_SPEC_OF(sname, FIELD_LIST)                                        \
  const ::nlw::ArgsSpec& sname::spec() {                                           \
    using Self = sname;                                                            \
    static const ::nlw::ArgsSpec s{#sname,                                         \
                                   {FIELD_LIST},                                   \
                                   []() -> void* { return new Self(); },           \
                                   [](void* p) { delete static_cast<Self*>(p); }}; \
    return s;                                                                      \
  }

// The struct alone (for a header), and its spec (in one .cc file). spec() is
// never inline: an inline function holding a static would be an
// STB_GNU_UNIQUE symbol, and glibc never unloads a library with one.
#define NLW_ARGS_STRUCT(sname, FIELDS)    \
  struct sname {                          \
    FIELDS(NLW_ARG_MEMBER)                \
    static const ::nlw::ArgsSpec& spec(); \
  };
#define NLW_ARGS_SPEC(sname, FIELDS) NLW_ARGS_SPEC_OF(sname, FIELDS(NLW_ARG_FIELD))
#define NLW_ARGS(sname, FIELDS)  \
  NLW_ARGS_STRUCT(sname, FIELDS) \
  NLW_ARGS_SPEC(sname, FIELDS)

// A struct with every argument of `base` (declared with BASE_FIELDS) and
// FIELDS of its own: ct.match takes ct.dump's arguments and its filters.
#define NLW_ARGS_EXTEND(sname, base, BASE_FIELDS, FIELDS) \
  struct sname : base {                                   \
    FIELDS(NLW_ARG_MEMBER)                                \
    static const ::nlw::ArgsSpec& spec();                 \
  };                                                      \
  NLW_ARGS_SPEC_OF(sname, BASE_FIELDS(NLW_ARG_FIELD) FIELDS(NLW_ARG_FIELD))
