// Schema registry, string interning and record writing (see record.h).
#include "record.h"

namespace nlw {

namespace {
constexpr double kAbsent = std::numeric_limits<double>::quiet_NaN();

uint16_t cells_of(FieldType t) {
  switch (t) {
    case FieldType::BigInt:
    case FieldType::Bytes:
    case FieldType::List:
    case FieldType::Variant:
    case FieldType::VariantObj:
    case FieldType::Strs: return 2;
    default: return 1;
  }
}

// Length of a valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t utf8_seq(std::string_view s, size_t i) {
  unsigned char c = s[i];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}
}  // namespace

std::vector<Schema*>& schema_registry() {
  static std::vector<Schema*> all;
  return all;
}

Schema& define_schema(const char* name, std::vector<FieldDef> fields) {
  auto* s = new Schema();  // lives for the process, like the code
  s->name = name;
  s->id = static_cast<uint16_t>(schema_registry().size());
  uint16_t cell = 0;
  for (auto& f : fields) {
    f.cell = cell;
    cell += cells_of(f.type);
  }
  s->cells = cell;
  s->fields = std::move(fields);
  schema_registry().push_back(s);
  return *s;
}

std::vector<VariantDef>& variant_registry() {
  static std::vector<VariantDef> all;
  return all;
}

const Schema* find_schema(std::string_view name) {
  for (const Schema* s : schema_registry())
    if (s->name == name) return s;
  return nullptr;
}

namespace {
// FNV-1a: short strings, good enough spread, no allocation.
uint32_t hash_of(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}
}  // namespace

uint32_t StringTable::append(std::string_view s) {
  uint32_t id = static_cast<uint32_t>(offsets_.size() - 1);
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c < 0x80;
  if (ascii) {  // nearly every string: one code unit per byte
    blob_.append(s.data(), s.size());
    units_ += static_cast<uint32_t>(s.size());
    offsets_.push_back(units_);
    raw_offsets_.push_back(static_cast<uint32_t>(raw_.size()));
    return id;
  }
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_seq(s, i);
    if (n == 0) {
      blob_.append("\xEF\xBF\xBD");  // U+FFFD
      units_ += 1;
      i += 1;
      continue;
    }
    blob_.append(s.data() + i, n);
    units_ += n == 4 ? 2 : 1;  // astral code points take a surrogate pair
    i += n;
  }
  offsets_.push_back(units_);
  raw_offsets_.push_back(static_cast<uint32_t>(raw_.size()));
  return id;
}

bool StringTable::same(uint32_t id, std::string_view s) const {
  uint32_t a = raw_offsets_[id], b = raw_offsets_[id + 1];
  return b - a == s.size() && std::memcmp(raw_.data() + a, s.data(), s.size()) == 0;
}

void StringTable::rehash() {
  std::vector<uint32_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint32_t slot : old) {
    if (slot == 0) continue;
    uint32_t id = slot - 1;
    std::string_view k(raw_.data() + raw_offsets_[id], raw_offsets_[id + 1] - raw_offsets_[id]);
    size_t i = hash_of(k) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

uint32_t StringTable::intern(std::string_view s) {
  if ((interned_ + 1) * 2 > slots_.size()) rehash();
  size_t mask = slots_.size() - 1;
  size_t i = hash_of(s) & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask)
    if (same(slots_[i] - 1, s)) return slots_[i] - 1;
  raw_.append(s.data(), s.size());
  uint32_t id = append(s);
  slots_[i] = id + 1;
  interned_++;
  return id;
}

void StringTable::reserve_like(const StringTable& o) {
  blob_.reserve(o.blob_.size());
  offsets_.reserve(o.offsets_.size());
  raw_.reserve(o.raw_.size());
  raw_offsets_.reserve(o.raw_offsets_.size());
  slots_.assign(o.slots_.size(), 0);  // empty or a power of two, as rehash() keeps it
}

void StringTable::append_table(const StringTable& o) {
  blob_.append(o.blob_);
  offsets_.reserve(offsets_.size() + o.size());
  raw_offsets_.reserve(raw_offsets_.size() + o.size());
  for (size_t i = 1; i < o.offsets_.size(); i++) {
    offsets_.push_back(units_ + o.offsets_[i]);
    raw_offsets_.push_back(static_cast<uint32_t>(raw_.size()));  // not interned
  }
  units_ += o.units_;
}

bool Rec::has(uint16_t f) const {
  auto& v = set_->cells_[schema_->id];
  double d = v.data()[index_ * schema_->cells + schema_->fields[f].cell];
  return d == d;
}

void Rec::str(uint16_t f, std::string_view s) {
  *cell(f) = set_->strings_.intern(s);
}

void Rec::str_unique(uint16_t f, std::string_view s) {
  *cell(f) = set_->strings_.append(s);
}

void Rec::bytes(uint16_t f, const uint8_t* p, size_t n) {
  auto& b = set_->bytes_;
  *cell(f) = static_cast<double>(b.size());
  *cell(f, 1) = static_cast<double>(n);
  b.insert(b.end(), p, p + n);
}

void Rec::list(uint16_t f, size_t first, size_t count) {
  *cell(f) = static_cast<double>(first);
  *cell(f, 1) = static_cast<double>(count);
}

void Rec::variant(uint16_t f, const Schema& s, size_t index) {
  *cell(f) = s.id;
  *cell(f, 1) = static_cast<double>(index);
}

void Rec::strs(uint16_t f, const std::vector<std::string_view>& v) {
  auto& l = set_->string_lists_;
  *cell(f) = static_cast<double>(l.size());
  *cell(f, 1) = static_cast<double>(v.size());
  for (auto s : v) l.push_back(set_->strings_.intern(s));
}

Rec RecordSet::add(const Schema& s) {
  if (cells_.size() <= s.id) cells_.resize(s.id + 1);
  auto& v = cells_[s.id];
  size_t index = v.size() / s.cells;
  double* c = v.extend(s.cells);
  for (size_t i = 0; i < s.cells; i++) c[i] = kAbsent;
  return Rec(this, &s, index);
}

void RecordSet::reserve(const Schema& s, size_t n) {
  if (cells_.size() <= s.id) cells_.resize(s.id + 1);
  auto& v = cells_[s.id];
  v.reserve(v.size() + n * s.cells);
}

RecordSet RecordSet::empty_like() const {
  RecordSet next(*root_);
  next.cells_.resize(cells_.size());
  for (size_t i = 0; i < cells_.size(); i++) next.cells_[i].reserve(cells_[i].size());
  next.strings_.reserve_like(strings_);
  next.bytes_.reserve(bytes_.size());
  next.string_lists_.reserve(string_lists_.size());
  return next;
}

void RecordSet::append(const RecordSet& o) {
  // Every base is taken before anything is appended: a field of `o` points
  // at records of `o`, which land after this set's records of that schema.
  const auto& schemas = schema_registry();
  std::vector<double> base(schemas.size(), 0);
  for (size_t id = 0; id < cells_.size() && id < schemas.size(); id++)
    if (schemas[id]->cells > 0)
      base[id] = static_cast<double>(cells_[id].size() / schemas[id]->cells);
  const double str_base = static_cast<double>(strings_.size());
  const double bytes_base = static_cast<double>(bytes_.size());
  const double lists_base = static_cast<double>(string_lists_.size());
  auto child_id = [](const FieldDef& f) -> size_t {
    const Schema* c = find_schema(f.child);
    return c ? c->id : 0;
  };
  if (cells_.size() < o.cells_.size()) cells_.resize(o.cells_.size());
  for (size_t id = 0; id < o.cells_.size(); id++) {
    const PodBuf<double>& src = o.cells_[id];
    if (src.empty()) continue;
    const Schema& s = *schemas[id];
    double* out = cells_[id].extend(src.size());
    std::memcpy(out, src.data(), src.size() * sizeof(double));
    for (const FieldDef& f : s.fields) {
      double add = 0;
      switch (f.type) {
        case FieldType::Str: add = str_base; break;
        case FieldType::Bytes: add = bytes_base; break;
        case FieldType::Strs: add = lists_base; break;
        case FieldType::List:
        case FieldType::Obj: add = base[child_id(f)]; break;
        case FieldType::Variant:
        case FieldType::VariantObj: break;  // per record: the schema is in the cell
        default: continue;
      }
      for (size_t r = 0; r < src.size(); r += s.cells) {
        double* c = out + r + f.cell;
        if (c[0] != c[0]) continue;  // absent
        if (f.type == FieldType::Variant || f.type == FieldType::VariantObj) {
          size_t vid = static_cast<size_t>(c[0]);
          c[1] += vid < base.size() ? base[vid] : 0;
        } else {
          c[0] += add;
        }
      }
    }
  }
  strings_.append_table(o.strings_);
  bytes_.insert(bytes_.end(), o.bytes_.begin(), o.bytes_.end());
  string_lists_.reserve(string_lists_.size() + o.string_lists_.size());
  for (uint32_t i : o.string_lists_) string_lists_.push_back(i + static_cast<uint32_t>(str_base));
}

size_t RecordSet::cell_count() const {
  size_t n = 0;
  for (const auto& v : cells_) n += v.size();
  return n;
}

size_t RecordSet::count(const Schema& s) const {
  if (cells_.size() <= s.id || s.cells == 0) return 0;
  return cells_[s.id].size() / s.cells;
}

}  // namespace nlw
