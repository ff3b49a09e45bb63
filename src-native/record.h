// Parsed results as flat records, built off the JS thread.
//
// A parser writes each kernel object as one record of 8-byte cells, laid out
// by a Schema (declared with NLW_SCHEMA next to the parser). The JS side gets
// the cells as a Float64Array, the strings as one JS string plus offsets, and
// raw bytes as one Buffer, and builds its objects from a decoder generated
// from the same schema (lib/decode.ts). This keeps byte layout in C++, costs
// one N-API call per result instead of one per property, and gives every
// object of a kind the same hidden class.
//
// Cell conventions (what lib/decode.ts reads):
//   Num     1 cell: the value (integers up to 2^53), NaN = absent (null)
//   Bool    1 cell: 0 / 1, NaN = absent
//   BigInt  2 cells: [NaN = absent | 0 = present | 1 = zero | 2 = 2^64-1,
//           the uint64 bits]; JS shares one 0n and one 2^64-1 (counters at
//           zero, XFRM's infinite limits) instead of allocating each
//   Str     1 cell: index into the string table, NaN = absent
//   Bytes   2 cells: [offset | NaN, length] into the bytes blob
//   List    2 cells: [first record index in the child schema | NaN, count]
//   Variant 2 cells: [schema id | NaN, record index]; its fields are merged
//           into the parent object (a link's kind-specific fields)
//   Strs    2 cells: [first index into the string-list array | NaN, count]
//   Obj     1 cell: record index in the child schema | NaN (one nested object)
//   VariantObj 2 cells: [schema id | NaN, record index]: one nested object
//           whose schema is chosen per record (a link's slave data)
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "pod_buf.h"

namespace nlw {

enum class FieldType : uint8_t {
  Num,
  Bool,
  BigInt,
  Str,
  Bytes,
  List,
  Variant,
  Strs,
  Obj,
  VariantObj
};

struct FieldDef {
  const char* name;
  FieldType type;
  const char* child;  // schema name of List children, else ""
  uint16_t cell = 0;  // first cell of this field in a record
};

struct Schema {
  std::string name;
  uint16_t id = 0;
  uint16_t cells = 0;  // cells per record
  std::vector<FieldDef> fields;
};

// All schemas, in registration order (id = index).
std::vector<Schema*>& schema_registry();
Schema& define_schema(const char* name, std::vector<FieldDef> fields);
const Schema* find_schema(std::string_view name);

// A schema that a Variant or VariantObj field may hold, with the value that
// selects it (link.kindData: the IFLA_INFO_KIND; link.slave: the slave kind).
// Exported with the schemas, so the decoders generated from them
// (lib/generated/) have one function per (record, variant) pair.
struct VariantDef {
  const char* owner;  // schema name
  const char* field;
  const char* key;
  const Schema& (*schema)();
};
std::vector<VariantDef>& variant_registry();

// NLW_SCHEMA(route, ROUTE_FIELDS) with
//   #define ROUTE_FIELDS(F) F(dst, Str, "") F(table, Num, "") ...
// declares enum route_f::{dst, table, ...} and the schema `route_schema()`.
#define NLW_FIELD_ENUM(name, type, child) name,
#define NLW_FIELD_DEF(name, type, child) ::nlw::FieldDef{#name, ::nlw::FieldType::type, child},
#define NLW_SCHEMA(sname, FIELDS)                                                    \
  namespace sname##_f {                                                              \
    enum : uint16_t { FIELDS(NLW_FIELD_ENUM) kCount };                               \
  }                                                                                  \
  inline const ::nlw::Schema& sname##_schema() {                                     \
    static ::nlw::Schema& s = ::nlw::define_schema(#sname, {FIELDS(NLW_FIELD_DEF)}); \
    return s;                                                                        \
  }                                                                                  \
  /* registered at load, so JS sees every schema before any parse */                 \
  [[maybe_unused]] static const ::nlw::Schema& sname##_registered = sname##_schema();

// Interned strings, stored as one UTF-8 blob with offsets counted in UTF-16
// code units, so JS can cut them out of a single string with substring().
// Invalid UTF-8 (a raw interface alias, say) becomes U+FFFD.
class StringTable {
 public:
  // The index of `s`, added once however often it recurs (names, kinds).
  uint32_t intern(std::string_view s);
  // Adds `s` without looking for an earlier copy: for values that rarely
  // repeat (addresses), where hashing costs more than it saves.
  uint32_t append(std::string_view s);
  // Room for as much as `o` holds, without its strings (the next chunk of
  // a dump is about as big as the last one).
  void reserve_like(const StringTable& o);
  // Appends every string of `o` (not interned here): o's string i becomes
  // size() + i of this table, as it was before the call.
  void append_table(const StringTable& o);
  const std::string& blob() const { return blob_; }
  const std::vector<uint32_t>& offsets() const { return offsets_; }  // n+1
  size_t size() const { return offsets_.size() - 1; }

 private:
  bool same(uint32_t id, std::string_view s) const;
  void rehash();
  std::string blob_;                  // UTF-8, sanitised
  std::vector<uint32_t> offsets_{0};  // in UTF-16 units
  uint32_t units_ = 0;
  // Open-addressing index of interned strings by their original bytes,
  // kept in raw_ (raw_offsets_ per string id; not every id is interned).
  std::string raw_;
  std::vector<uint32_t> raw_offsets_{0};
  std::vector<uint32_t> slots_;  // string id + 1, 0 = empty
  size_t interned_ = 0;
};

class RecordSet;

// A handle on one record being written. Cheap to copy; stays valid while
// other records (of any schema) are added.
class Rec {
 public:
  Rec(RecordSet* set, const Schema* schema, size_t index)
      : set_(set), schema_(schema), index_(index) {}

  void num(uint16_t f, double v) { *cell(f) = v; }
  void boolean(uint16_t f, bool v) { *cell(f) = v ? 1 : 0; }
  void big(uint16_t f, uint64_t v) {
    double* c = cell(f);
    c[0] = v == 0 ? 1 : v == std::numeric_limits<uint64_t>::max() ? 2 : 0;
    std::memcpy(c + 1, &v, sizeof v);
  }
  void str(uint16_t f, std::string_view s);         // interned
  void str_unique(uint16_t f, std::string_view s);  // appended as is
  void bytes(uint16_t f, const uint8_t* p, size_t n);
  // Children of the List field `f` are the records [first, first+count) of
  // the child schema.
  void list(uint16_t f, size_t first, size_t count);
  // Variant and VariantObj fields.
  void variant(uint16_t f, const Schema& s, size_t index);
  void strs(uint16_t f, const std::vector<std::string_view>& v);
  void obj(uint16_t f, size_t index) { *cell(f) = static_cast<double>(index); }
  bool has(uint16_t f) const;
  size_t index() const { return index_; }
  // The set this record belongs to, for appending List / Obj children.
  RecordSet& set() const { return *set_; }

 private:
  inline double* cell(uint16_t f, int k = 0);
  RecordSet* set_;
  const Schema* schema_;
  size_t index_;
};

class RecordSet {
 public:
  explicit RecordSet(const Schema& root) : root_(&root) {}
  // Appends a record of schema `s`, every field absent.
  Rec add(const Schema& s);
  // Room for `n` more records of `s` (the reply's message count is known
  // before parsing), so the cells do not move while they grow.
  void reserve(const Schema& s, size_t n);
  // An empty set of the same root with room for as much as this one holds:
  // a streamed dump's next chunk, so its vectors do not grow from nothing.
  RecordSet empty_like() const;
  // Appends every record of `o` (same root) after this set's own, indices
  // into records, strings and bytes rebased: the root records of `o` follow
  // this set's root records, as if one parser had written both.
  void append(const RecordSet& o);
  size_t count(const Schema& s) const;
  // Cells held, over every schema.
  size_t cell_count() const;
  const Schema& root() const { return *root_; }

  std::vector<PodBuf<double>>& cells() { return cells_; }
  StringTable& strings() { return strings_; }
  std::vector<uint8_t>& bytes() { return bytes_; }
  std::vector<uint32_t>& string_lists() { return string_lists_; }

 private:
  friend class Rec;
  const Schema* root_;
  std::vector<PodBuf<double>> cells_;  // per schema id
  StringTable strings_;
  std::vector<uint8_t> bytes_;
  std::vector<uint32_t> string_lists_;  // string indices, for Strs fields
};

// Defined here, after RecordSet, so every setter inlines it.
inline double* Rec::cell(uint16_t f, int k) {
  auto& v = set_->cells_[schema_->id];
  return v.data() + index_ * schema_->cells + schema_->fields[f].cell + k;
}

}  // namespace nlw
