// Workload data: loading households.jsonl / params.json into Heyan's data model, writing
// results, and the hand-written baseline evaluator. See workload_data.h.
#include "workload/workload_data.h"

#include "io/application_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/v1/options.pb.h"
#include "simdjson.h"

namespace heyan::workload {
namespace {

namespace od = simdjson::ondemand;

// ---- workload spellings -> data model ----------------------------------------------------

struct IncomeKindEntry {
  absl::string_view name;
  v1::IncomeKind kind;
  v1::IncomeSource source;
};
constexpr IncomeKindEntry kIncomeKinds[] = {
    {"wage", v1::WAGES, v1::SALARY},
    {"farming", v1::NET_BUSINESS, v1::FARMING},
    {"business", v1::NET_BUSINESS, v1::BUSINESS},
    {"pension", v1::NET_TRANSFER, v1::PENSION},
    {"property", v1::PROPERTY_INCOME, v1::RENT_AND_INTEREST},
    {"transfer_family_planning_reward", v1::NET_TRANSFER, v1::FAMILY_PLANNING_REWARD},
    {"transfer_disability_subsidy", v1::NET_TRANSFER, v1::DISABILITY_SUBSIDY},
    {"transfer_elderly_allowance", v1::NET_TRANSFER, v1::ELDERLY_ALLOWANCE},
    {"other", v1::NET_TRANSFER, v1::OTHER_SOURCE},
};

template <typename Enum>
struct NamedEnum {
  absl::string_view name;
  Enum value;
};
constexpr NamedEnum<v1::Relation> kRelations[] = {
    {"head", v1::SELF},           {"spouse", v1::SPOUSE},   {"child", v1::CHILD},
    {"parent", v1::PARENT},       {"grandchild", v1::GRANDCHILD},
    {"sibling", v1::SIBLING},     {"other", v1::OTHER_RELATION},
};
constexpr NamedEnum<v1::VehicleKind> kVehicleKinds[] = {
    {"car", v1::CAR},
    {"truck", v1::TRUCK},
    {"motorcycle", v1::MOTORCYCLE},
    {"farm_tricycle", v1::FARM_TRICYCLE},
    {"disability_mobility", v1::DISABILITY_MOBILITY},
};
constexpr NamedEnum<v1::MachineryKind> kMachineryKinds[] = {
    {"tractor", v1::TRACTOR},
    {"rotary_tiller", v1::ROTARY_TILLER},
    {"water_pump", v1::WATER_PUMP},
    {"thresher", v1::THRESHER},
    {"combine_harvester", v1::COMBINE_HARVESTER},
};

const IncomeKindEntry* FindIncomeKind(absl::string_view name) {
  for (const IncomeKindEntry& e : kIncomeKinds) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

template <typename Enum, size_t N>
bool FindEnum(const NamedEnum<Enum> (&table)[N], absl::string_view name, Enum* out) {
  for (const NamedEnum<Enum>& e : table) {
    if (e.name == name) {
      *out = e.value;
      return true;
    }
  }
  return false;
}

template <typename Entry, size_t N>
std::string Choices(const Entry (&table)[N]) {
  std::string out;
  for (const Entry& e : table) absl::StrAppend(&out, out.empty() ? "" : ", ", e.name);
  return out;
}

// The name rule files use for an enum value: its (zh_value), else the proto name (rule
// files accept English names too).
std::string RuleName(const google::protobuf::EnumDescriptor* type, int number) {
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(number);
  if (v == nullptr) return absl::StrCat(number);
  const std::string& zh = v->options().GetExtension(v1::zh_value);
  return zh.empty() ? v->name() : zh;
}

// ---- errors ---------------------------------------------------------------------------

// A field path such as members[2].incomes[0].kind: a chain of stack frames, one per step,
// rendered only when an error is reported (building strings per field would cost more than
// parsing the field).
struct Path {
  static constexpr size_t kNoIndex = ~size_t{0};
  const Path* parent = nullptr;
  absl::string_view key;    // a ".key" step, or empty
  size_t index = kNoIndex;  // a "[index]" step

  Path Key(absl::string_view k) const { return Path{this, k, kNoIndex}; }
  Path Index(size_t i) const { return Path{this, {}, i}; }

  std::string Render() const {
    std::vector<const Path*> steps;
    for (const Path* p = this; p != nullptr; p = p->parent) steps.push_back(p);
    std::string out;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      const Path& p = **it;
      if (p.index != kNoIndex) {
        absl::StrAppend(&out, "[", p.index, "]");
      } else if (!p.key.empty()) {
        absl::StrAppend(&out, out.empty() ? "" : ".", p.key);
      }
    }
    return out.empty() ? "(line)" : out;
  }
};

// Labels errors of one input line: "file:line: field: problem".
struct LineContext {
  absl::string_view file;
  size_t line;

  absl::Status Bad(const Path& field, absl::string_view problem) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", line, ": ", field.Render(), ": ", problem));
  }
  absl::Status Json(const Path& field, simdjson::error_code error,
                    absl::string_view expected) const {
    if (error == simdjson::INCORRECT_TYPE) return Bad(field, absl::StrCat("expected ", expected));
    return Bad(field, absl::StrCat("malformed JSON (", simdjson::error_message(error), ")"));
  }
  absl::Status Missing(const Path& object, absl::string_view key) const {
    return Bad(object.Key(key), "missing");
  }
};

// Which keys an object has had, by index in its key table; also catches duplicate keys,
// which would otherwise let the second value silently win.
class SeenKeys {
 public:
  // Returns false if `bit` was already seen.
  bool Mark(int bit) {
    const uint32_t m = 1u << bit;
    if (seen_ & m) return false;
    seen_ |= m;
    return true;
  }
  bool Has(int bit) const { return (seen_ >> bit) & 1u; }

 private:
  uint32_t seen_ = 0;
};

template <size_t N>
int KeyIndex(const absl::string_view (&keys)[N], absl::string_view key) {
  for (size_t i = 0; i < N; ++i) {
    if (keys[i] == key) return static_cast<int>(i);
  }
  return static_cast<int>(N);
}

// Iterates the fields of a JSON object, handing each key and value to
// `handle(key, value) -> Status`. Unknown keys are the handler's business.
template <typename Handler>
absl::Status ForEachField(const LineContext& ctx, const Path& where, od::object& object,
                          Handler&& handle) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return ctx.Json(where, error, "a field");
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return ctx.Json(where, error, "a key");
    if (absl::Status s = handle(absl::string_view(key.data(), key.size()), field.value());
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Calls `parse_item(item_path, object) -> Status` for each element of a JSON array of
// objects.
template <typename ParseItem>
absl::Status ForEachObject(const LineContext& ctx, const Path& path, od::value& value,
                           ParseItem&& parse_item) {
  od::array array;
  if (auto error = value.get_array().get(array)) return ctx.Json(path, error, "an array");
  size_t i = 0;
  for (auto element : array) {
    const Path item = path.Index(i++);
    od::object object;
    if (auto error = element.get_object().get(object)) return ctx.Json(item, error, "an object");
    if (absl::Status s = parse_item(item, object); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Reads a non-negative integer (every number in the workload is one).
absl::Status ReadCount(const LineContext& ctx, od::value& value, const Path& path,
                       int64_t* out) {
  if (auto error = value.get_int64().get(*out)) return ctx.Json(path, error, "an integer");
  if (*out < 0) return ctx.Bad(path, absl::StrCat("negative value ", *out));
  return absl::OkStatus();
}

absl::Status ReadString(const LineContext& ctx, od::value& value, const Path& path,
                        absl::string_view* out) {
  std::string_view s;
  if (auto error = value.get_string().get(s)) return ctx.Json(path, error, "a string");
  *out = absl::string_view(s.data(), s.size());
  return absl::OkStatus();
}

// ---- households.jsonl line -> Application ------------------------------------------------

absl::Status ParseIncome(const LineContext& ctx, const Path& path, od::object& object,
                         v1::Income* income) {
  enum { kKind, kMonthly, kNumKeys };
  static constexpr absl::string_view kKeys[kNumKeys] = {"kind", "monthly_fen"};
  SeenKeys seen;
  absl::Status s = ForEachField(ctx, path, object, [&](absl::string_view key, od::value& value) {
    const Path field = path.Key(key);
    const int index = KeyIndex(kKeys, key);
    if (index == kNumKeys) return ctx.Bad(field, "unknown key");
    if (!seen.Mark(index)) return ctx.Bad(field, "duplicate key");
    if (index == kKind) {
      absl::string_view kind;
      if (absl::Status r = ReadString(ctx, value, field, &kind); !r.ok()) return r;
      const IncomeKindEntry* e = FindIncomeKind(kind);
      if (e == nullptr) {
        return ctx.Bad(field, absl::StrCat("unknown income kind \"", kind, "\" (expected one of ",
                                           Choices(kIncomeKinds), ")"));
      }
      income->set_kind(e->kind);
      income->set_source(e->source);
      return absl::OkStatus();
    }
    int64_t fen;
    if (absl::Status r = ReadCount(ctx, value, field, &fen); !r.ok()) return r;
    income->set_amount_fen(fen);
    income->set_period(v1::MONTHLY);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  for (int k = 0; k < kNumKeys; ++k) {
    if (!seen.Has(k)) return ctx.Missing(path, kKeys[k]);
  }
  return absl::OkStatus();
}

// A vehicle or a machine: {kind, value_fen}.
template <typename Enum, size_t N, typename Item>
absl::Status ParseValuedItem(const LineContext& ctx, const Path& path, od::object& object,
                             const NamedEnum<Enum> (&kinds)[N], Item* item) {
  enum { kKind, kValue, kNumKeys };
  static constexpr absl::string_view kKeys[kNumKeys] = {"kind", "value_fen"};
  SeenKeys seen;
  absl::Status s = ForEachField(ctx, path, object, [&](absl::string_view key, od::value& value) {
    const Path field = path.Key(key);
    const int index = KeyIndex(kKeys, key);
    if (index == kNumKeys) return ctx.Bad(field, "unknown key");
    if (!seen.Mark(index)) return ctx.Bad(field, "duplicate key");
    if (index == kKind) {
      absl::string_view text;
      if (absl::Status r = ReadString(ctx, value, field, &text); !r.ok()) return r;
      Enum kind;
      if (!FindEnum(kinds, text, &kind)) {
        return ctx.Bad(field, absl::StrCat("unknown kind \"", text, "\" (expected one of ",
                                           Choices(kinds), ")"));
      }
      item->set_kind(kind);
      return absl::OkStatus();
    }
    int64_t fen;
    if (absl::Status r = ReadCount(ctx, value, field, &fen); !r.ok()) return r;
    item->set_value_fen(fen);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  for (int k = 0; k < kNumKeys; ++k) {
    if (!seen.Has(k)) return ctx.Missing(path, kKeys[k]);
  }
  return absl::OkStatus();
}

absl::Status ParseMember(const LineContext& ctx, const Path& path, od::object& object,
                         v1::Member* member) {
  enum { kPersonId, kAge, kRelation, kDisability, kIncomes, kNumKeys };
  static constexpr absl::string_view kKeys[kNumKeys] = {"person_id", "age", "relation",
                                                        "disability_grade", "incomes"};
  SeenKeys seen;
  absl::Status s = ForEachField(ctx, path, object, [&](absl::string_view key, od::value& value) {
    const Path field = path.Key(key);
    const int index = KeyIndex(kKeys, key);
    if (index == kNumKeys) return ctx.Bad(field, "unknown key");
    if (!seen.Mark(index)) return ctx.Bad(field, "duplicate key");
    switch (index) {
      case kPersonId: {
        absl::string_view id;
        if (absl::Status r = ReadString(ctx, value, field, &id); !r.ok()) return r;
        if (id.empty()) return ctx.Bad(field, "empty ID number");
        member->mutable_id_number()->assign(id.data(), id.size());
        return absl::OkStatus();
      }
      case kAge: {
        // Not used by the rules (birth_date stays unset), but still checked.
        int64_t age;
        return ReadCount(ctx, value, field, &age);
      }
      case kRelation: {
        absl::string_view text;
        if (absl::Status r = ReadString(ctx, value, field, &text); !r.ok()) return r;
        v1::Relation relation;
        if (!FindEnum(kRelations, text, &relation)) {
          return ctx.Bad(field, absl::StrCat("unknown relation \"", text, "\" (expected one of ",
                                             Choices(kRelations), ")"));
        }
        member->set_relation(relation);
        return absl::OkStatus();
      }
      case kDisability: {
        int64_t grade;
        if (absl::Status r = ReadCount(ctx, value, field, &grade); !r.ok()) return r;
        if (grade > 4) return ctx.Bad(field, absl::StrCat("grade ", grade, " is not 0-4"));
        member->set_disability_grade(static_cast<int32_t>(grade));
        return absl::OkStatus();
      }
      default:  // kIncomes
        return ForEachObject(ctx, field, value, [&](const Path& item, od::object& o) {
          return ParseIncome(ctx, item, o, member->add_incomes());
        });
    }
  });
  if (!s.ok()) return s;
  for (int k = 0; k < kNumKeys; ++k) {
    if (!seen.Has(k)) return ctx.Missing(path, kKeys[k]);
  }
  return absl::OkStatus();
}

absl::Status ParseAssets(const LineContext& ctx, const Path& path, od::object& object,
                         v1::Assets* assets) {
  enum { kVehicles, kHouses, kDeposits, kMachinery, kNumKeys };
  static constexpr absl::string_view kKeys[kNumKeys] = {"vehicles", "houses", "deposits_fen",
                                                        "machinery"};
  SeenKeys seen;
  absl::Status s = ForEachField(ctx, path, object, [&](absl::string_view key, od::value& value) {
    const Path field = path.Key(key);
    const int index = KeyIndex(kKeys, key);
    if (index == kNumKeys) return ctx.Bad(field, "unknown key");
    if (!seen.Mark(index)) return ctx.Bad(field, "duplicate key");
    switch (index) {
      case kVehicles:
        return ForEachObject(ctx, field, value, [&](const Path& item, od::object& o) {
          return ParseValuedItem(ctx, item, o, kVehicleKinds, assets->add_vehicles());
        });
      case kHouses: {
        int64_t houses;
        if (absl::Status r = ReadCount(ctx, value, field, &houses); !r.ok()) return r;
        if (houses > INT32_MAX) return ctx.Bad(field, "too large");
        assets->mutable_homes()->set_count(static_cast<int32_t>(houses));
        return absl::OkStatus();
      }
      case kDeposits: {
        int64_t fen;
        if (absl::Status r = ReadCount(ctx, value, field, &fen); !r.ok()) return r;
        assets->mutable_financial()->set_deposits_fen(fen);
        return absl::OkStatus();
      }
      default:  // kMachinery
        return ForEachObject(ctx, field, value, [&](const Path& item, od::object& o) {
          return ParseValuedItem(ctx, item, o, kMachineryKinds, assets->add_machinery());
        });
    }
  });
  if (!s.ok()) return s;
  for (int k = 0; k < kNumKeys; ++k) {
    if (!seen.Has(k)) return ctx.Missing(path, kKeys[k]);
  }
  return absl::OkStatus();
}

absl::Status ParseLine(od::parser& parser, const LineContext& ctx, std::string_view json,
                       size_t capacity, v1::Application* app) {
  app->Clear();
  const Path root;
  if (json.empty() || json == "\r") return ctx.Bad(root, "blank line");
  od::document doc;
  if (auto error = parser.iterate(json.data(), json.size(), capacity).get(doc)) {
    return ctx.Json(root, error, "a JSON object");
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) return ctx.Json(root, error, "a JSON object");

  enum { kId, kCounty, kMembers, kAssets, kNumKeys };
  static constexpr absl::string_view kKeys[kNumKeys] = {"household_id", "county", "members",
                                                        "assets"};
  SeenKeys seen;
  absl::Status s = ForEachField(ctx, root, object, [&](absl::string_view key, od::value& value) {
    const Path field = root.Key(key);
    const int index = KeyIndex(kKeys, key);
    if (index == kNumKeys) return ctx.Bad(field, "unknown key");
    if (!seen.Mark(index)) return ctx.Bad(field, "duplicate key");
    switch (index) {
      case kId: {
        absl::string_view id;
        if (absl::Status r = ReadString(ctx, value, field, &id); !r.ok()) return r;
        if (id.empty()) return ctx.Bad(field, "empty household ID");
        app->mutable_id()->assign(id.data(), id.size());
        return absl::OkStatus();
      }
      case kCounty: {
        absl::string_view county;
        if (absl::Status r = ReadString(ctx, value, field, &county); !r.ok()) return r;
        app->mutable_county()->assign(county.data(), county.size());
        return absl::OkStatus();
      }
      case kMembers: {
        absl::Status r = ForEachObject(ctx, field, value, [&](const Path& item, od::object& o) {
          return ParseMember(ctx, item, o, app->add_members());
        });
        if (!r.ok()) return r;
        if (app->members_size() == 0) return ctx.Bad(field, "no members (a household has 1-8)");
        return absl::OkStatus();
      }
      default: {  // kAssets
        od::object assets;
        if (auto error = value.get_object().get(assets)) {
          return ctx.Json(field, error, "an object");
        }
        // Set even if a list stays empty, so rules never see the assets as absent.
        v1::Assets* a = app->mutable_assets();
        a->mutable_homes();
        a->mutable_financial();
        return ParseAssets(ctx, field, assets, a);
      }
    }
  });
  if (!s.ok()) return s;
  for (int k = 0; k < kNumKeys; ++k) {
    if (!seen.Has(k)) return ctx.Missing(root, kKeys[k]);
  }
  // On-Demand stops at the object's closing brace; anything after it on the line (a second
  // object, stray text) would otherwise go unnoticed.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return ctx.Bad(root, "unexpected text after the JSON object");
  }
  app->set_as_of(kAsOf);
  return absl::OkStatus();
}

// ---- files ---------------------------------------------------------------------------------

absl::Status WriteAll(std::FILE* f, const std::string& path, absl::string_view data) {
  if (data.empty()) return absl::OkStatus();
  if (std::fwrite(data.data(), 1, data.size(), f) != data.size()) {
    return absl::InternalError(absl::StrCat(path, ": write failed: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Opens `path` for writing, runs `write(FILE*)`, closes; the close is checked too because a
// full disk often shows only there.
template <typename Body>
absl::Status WithOutputFile(const std::string& path, Body&& write) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return absl::InternalError(absl::StrCat(path, ": cannot open for writing: ",
                                            std::strerror(errno)));
  }
  absl::Status s = write(f);
  if (std::fclose(f) != 0 && s.ok()) {
    s = absl::InternalError(absl::StrCat(path, ": write failed: ", std::strerror(errno)));
  }
  return s;
}

// Output is flushed in blocks of this size, so a 1M-household run does not hold the whole
// output in memory while keeping the number of write calls small.
constexpr size_t kWriteBlock = 1 << 20;

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// Integer division rounding towards minus infinity / plus infinity (b > 0).
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }
int64_t CeilDiv(int64_t a, int64_t b) { return a / b + ((a % b != 0) && (a > 0)); }

}  // namespace

// ---- params.json ----------------------------------------------------------------------------

absl::StatusOr<WorkloadParams> LoadParams(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.load(path).get(root)) {
    if (error == simdjson::IO_ERROR) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": malformed JSON (", simdjson::error_message(error), ")"));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": expected a JSON object"));
  }
  auto bad = [&](absl::string_view key, absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", key, ": ", problem));
  };

  WorkloadParams params;
  struct IntKey {
    absl::string_view key;
    int64_t* value;
  };
  const IntKey int_keys[] = {
      {"monthly_standard_fen", &params.monthly_standard_fen},
      {"large_machinery_threshold_fen", &params.large_machinery_threshold_fen},
      {"deposit_limit_months", &params.deposit_limit_months},
      {"max_houses", &params.max_houses},
      {"benefit_rounding_fen", &params.benefit_rounding_fen},
      {"min_benefit_fen", &params.min_benefit_fen},
  };
  bool seen_int[std::size(int_keys)] = {};
  bool seen_excluded = false, seen_exempt = false;

  auto read_list = [&](absl::string_view key, simdjson::dom::element value,
                       std::vector<std::string>* out) -> absl::Status {
    simdjson::dom::array array;
    if (value.get_array().get(array)) return bad(key, "expected an array of strings");
    for (simdjson::dom::element e : array) {
      std::string_view s;
      if (e.get_string().get(s)) return bad(key, "expected an array of strings");
      out->emplace_back(s);
    }
    return absl::OkStatus();
  };

  for (simdjson::dom::key_value_pair field : object) {
    const absl::string_view key(field.key.data(), field.key.size());
    if (key == "excluded_income_kinds") {
      if (seen_excluded) return bad(key, "duplicate key");
      seen_excluded = true;
      if (absl::Status s = read_list(key, field.value, &params.excluded_income_kinds); !s.ok()) {
        return s;
      }
      for (const std::string& kind : params.excluded_income_kinds) {
        const IncomeKindEntry* e = FindIncomeKind(kind);
        if (e == nullptr) {
          return bad(key, absl::StrCat("unknown income kind \"", kind, "\" (expected one of ",
                                       Choices(kIncomeKinds), ")"));
        }
        params.excluded_sources_mask |= uint64_t{1} << e->source;
      }
      continue;
    }
    if (key == "exempt_vehicle_kinds") {
      if (seen_exempt) return bad(key, "duplicate key");
      seen_exempt = true;
      if (absl::Status s = read_list(key, field.value, &params.exempt_vehicle_kinds); !s.ok()) {
        return s;
      }
      for (const std::string& kind : params.exempt_vehicle_kinds) {
        v1::VehicleKind v;
        if (!FindEnum(kVehicleKinds, kind, &v)) {
          return bad(key, absl::StrCat("unknown vehicle kind \"", kind, "\" (expected one of ",
                                       Choices(kVehicleKinds), ")"));
        }
        params.exempt_vehicles_mask |= uint64_t{1} << v;
      }
      continue;
    }
    size_t i = 0;
    while (i < std::size(int_keys) && int_keys[i].key != key) ++i;
    if (i == std::size(int_keys)) return bad(key, "unknown key");
    if (seen_int[i]) return bad(key, "duplicate key");
    seen_int[i] = true;
    if (field.value.get_int64().get(*int_keys[i].value)) return bad(key, "expected an integer");
    if (*int_keys[i].value < 0) return bad(key, "must not be negative");
  }

  for (size_t i = 0; i < std::size(int_keys); ++i) {
    if (!seen_int[i]) return bad(int_keys[i].key, "missing");
  }
  if (!seen_excluded) return bad("excluded_income_kinds", "missing");
  if (!seen_exempt) return bad("exempt_vehicle_kinds", "missing");
  // Rounding to a multiple of 0 is undefined (the engine would report a fault per household).
  if (params.benefit_rounding_fen == 0) return bad("benefit_rounding_fen", "must be positive");
  return params;
}

std::map<std::string, std::string> ParameterOverrides(const WorkloadParams& params) {
  auto fen = [](int64_t v) { return absl::StrCat(v, "分"); };
  std::vector<std::string> sources;
  for (const std::string& kind : params.excluded_income_kinds) {
    // LoadParams has checked every kind.
    if (const IncomeKindEntry* e = FindIncomeKind(kind)) {
      sources.push_back(RuleName(v1::IncomeSource_descriptor(), e->source));
    }
  }
  std::vector<std::string> vehicles;
  for (const std::string& kind : params.exempt_vehicle_kinds) {
    v1::VehicleKind v;
    if (FindEnum(kVehicleKinds, kind, &v)) {
      vehicles.push_back(RuleName(v1::VehicleKind_descriptor(), v));
    }
  }
  return {
      {"月低保标准", fen(params.monthly_standard_fen)},
      {"不计入收入来源", absl::StrCat("[", absl::StrJoin(sources, ", "), "]")},
      {"大型农机具价值线", fen(params.large_machinery_threshold_fen)},
      {"存款月数", absl::StrCat(params.deposit_limit_months)},
      {"豁免车辆类型", absl::StrCat("[", absl::StrJoin(vehicles, ", "), "]")},
      {"住房套数上限", absl::StrCat(params.max_houses)},
      {"保障金取整单位", fen(params.benefit_rounding_fen)},
      {"最低保障金", fen(params.min_benefit_fen)},
  };
}

// ---- households -------------------------------------------------------------------------------

namespace {
google::protobuf::ArenaOptions BatchArenaOptions() {
  // A batch is tens of megabytes; large blocks keep the number of block allocations small.
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 << 10;
  options.max_block_size = 4 << 20;
  return options;
}
}  // namespace

Households::Households()
    : arena_(std::make_unique<google::protobuf::Arena>(BatchArenaOptions())) {}
Households::~Households() = default;
Households::Households(Households&&) noexcept = default;
Households& Households::operator=(Households&&) noexcept = default;

v1::Application* Households::Add() {
  applications_.push_back(google::protobuf::Arena::CreateMessage<v1::Application>(arena_.get()));
  return applications_.back();
}

absl::Status ParseHouseholdLine(std::string_view file, size_t line, std::string_view json,
                                size_t capacity, v1::Application* out) {
  // One parser per thread: its buffers grow to the longest line and are then reused.
  thread_local od::parser parser;
  return ParseLine(parser, LineContext{absl::string_view(file.data(), file.size()), line}, json,
                   capacity, out);
}

absl::StatusOr<Households> LoadHouseholds(const std::string& path) {
  simdjson::padded_string content;
  if (auto error = simdjson::padded_string::load(path).get(content)) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read (", simdjson::error_message(error), ")"));
  }
  const char* p = content.data();
  const char* const end = p + content.size();
  Households households;
  size_t lines = 0;
  for (const char* q = p; q < end; ++lines) {
    const char* nl = static_cast<const char*>(std::memchr(q, '\n', end - q));
    q = nl != nullptr ? nl + 1 : end;
  }
  households.Reserve(lines);

  od::parser parser;
  size_t line = 0;
  while (p < end) {
    ++line;
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* line_end = nl != nullptr ? nl : end;
    // Lines are parsed in place: the padding simdjson needs is the rest of the file plus the
    // padding padded_string keeps after its end.
    const size_t capacity = static_cast<size_t>(end - p) + simdjson::SIMDJSON_PADDING;
    v1::Application* app = households.Add();
    absl::Status s = ParseLine(parser, LineContext{path, line},
                               std::string_view(p, line_end - p), capacity, app);
    if (!s.ok()) return s;
    households.people_ += app->members_size();
    p = nl != nullptr ? nl + 1 : end;
  }
  return households;
}

absl::Status LoadRegistries(const std::string& dir, Registries* registries) {
  const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  if (absl::Status s = registries->LoadFile(kStaffRegistry, base + kStaffFile,
                                            RegistryFormat::kIdList);
      !s.ok()) {
    return s;
  }
  return registries->LoadFile(kRelativesRegistry, base + kRelativesFile,
                              RegistryFormat::kIdList);
}

absl::Status WriteApplicationsJson(const std::string& path, const Households& households) {
  return WithOutputFile(path, [&](std::FILE* f) -> absl::Status {
    // heyan's own protobuf-JSON writer: same bytes as MessageToJsonString, which costs
    // ~75 µs a message on this protobuf (it re-resolves the annotated types every call).
    io::ProtoJsonWriter writer;
    std::string buffer, line;
    for (size_t i = 0; i < households.size(); ++i) {
      line.clear();
      writer.Append(households[i], &line);
      buffer.append(line);
      buffer.push_back('\n');
      if (buffer.size() >= kWriteBlock) {
        if (absl::Status s = WriteAll(f, path, buffer); !s.ok()) return s;
        buffer.clear();
      }
    }
    return WriteAll(f, path, buffer);
  });
}

// ---- results ----------------------------------------------------------------------------------

absl::Status ExtractResult(const v1::Application& application, const v1::Decision& decision,
                           WorkloadResult* out) {
  const std::string& id = application.id();
  if (decision.faults_size() > 0) {
    const v1::RuleFault& f = decision.faults(0);
    return absl::InternalError(
        absl::StrCat("household ", id, ": rule ", f.rule_id(), " faulted: ", f.message()));
  }
  if (decision.missing_evidence_size() > 0) {
    const v1::MissingEvidence& m = decision.missing_evidence(0);
    return absl::InternalError(absl::StrCat("household ", id, ": missing evidence ", m.field(),
                                            " needed by ", m.needed_by(), ": ", m.message()));
  }
  if (decision.outcome() == v1::OUTCOME_UNSPECIFIED) {
    return absl::InternalError(absl::StrCat("household ", id, ": decision has no outcome"));
  }
  // The engine may leave application_id empty; if it fills it, it must be this household.
  if (!decision.application_id().empty() && decision.application_id() != id) {
    return absl::InternalError(absl::StrCat("household ", id, ": decision is for ",
                                            decision.application_id()));
  }
  out->household_id.assign(id);
  out->eligible = decision.outcome() != v1::INELIGIBLE;
  out->reasons.clear();
  out->relative_flag = false;
  for (const v1::Reason& r : decision.reasons()) {
    if (r.kind() == v1::REASON_INELIGIBLE) {
      out->reasons.push_back(r.rule_id());
    } else if (r.kind() == v1::REASON_FLAG && r.rule_id() == "RELATIVE_OF_STAFF") {
      out->relative_flag = true;
    }
  }
  // Rules come in rule-file order; the output wants byte order.
  if (!std::is_sorted(out->reasons.begin(), out->reasons.end())) {
    std::sort(out->reasons.begin(), out->reasons.end());
  }
  out->per_capita_fen = decision.per_capita_income_fen();
  out->benefit_fen = decision.benefit_fen();
  return absl::OkStatus();
}

void AppendResultJson(const WorkloadResult& result, std::string* out) {
  out->append("{\"household_id\":");
  AppendJsonString(result.household_id, out);
  out->append(result.eligible ? ",\"eligible\":true,\"reasons\":["
                              : ",\"eligible\":false,\"reasons\":[");
  for (size_t i = 0; i < result.reasons.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(result.reasons[i], out);
  }
  out->append(result.relative_flag ? "],\"flags\":[\"RELATIVE_OF_STAFF\"],\"per_capita_fen\":"
                                   : "],\"flags\":[],\"per_capita_fen\":");
  absl::StrAppend(out, result.per_capita_fen, ",\"benefit_fen\":", result.benefit_fen, "}\n");
}

absl::Status WriteResults(const std::string& path, const std::vector<WorkloadResult>& results) {
  return WithOutputFile(path, [&](std::FILE* f) -> absl::Status {
    std::string buffer;
    buffer.reserve(kWriteBlock + 512);
    for (const WorkloadResult& r : results) {
      AppendResultJson(r, &buffer);
      if (buffer.size() >= kWriteBlock) {
        if (absl::Status s = WriteAll(f, path, buffer); !s.ok()) return s;
        buffer.clear();
      }
    }
    return WriteAll(f, path, buffer);
  });
}

// ---- baseline ----------------------------------------------------------------------------------

WorkloadResult HandwrittenEvaluate(const v1::Application& application,
                                   const Registries& registries, const WorkloadParams& params) {
  // Registry indices are fixed by the catalogue; look them up once.
  static const int kStaff = Registries::IndexOf(kStaffRegistry);
  static const int kRelatives = Registries::IndexOf(kRelativesRegistry);

  WorkloadResult result;
  result.household_id = application.id();
  const int64_t size = application.members_size();

  // R1, R2, R8: one pass over the members.
  int64_t counted_fen = 0;
  bool staff = false, relative = false;
  for (const v1::Member& m : application.members()) {
    for (const v1::Income& income : m.incomes()) {
      const unsigned source = static_cast<unsigned>(income.source());
      const bool excluded = source < 64 && ((params.excluded_sources_mask >> source) & 1u);
      if (!excluded) counted_fen += income.amount_fen();
    }
    if (!staff) staff = registries.Contains(kStaff, m.id_number());
    if (!relative) relative = registries.Contains(kRelatives, m.id_number());
  }
  // The loader rejects empty households; guard anyway rather than divide by zero.
  const int64_t per_capita_fen = size > 0 ? FloorDiv(counted_fen, size) : 0;

  const v1::Assets& assets = application.assets();
  // R3
  bool vehicle = false;
  for (const v1::Vehicle& v : assets.vehicles()) {
    const unsigned kind = static_cast<unsigned>(v.kind());
    if (!(kind < 64 && ((params.exempt_vehicles_mask >> kind) & 1u))) {
      vehicle = true;
      break;
    }
  }
  // R4
  bool machinery = false;
  for (const v1::Machinery& m : assets.machinery()) {
    if (m.value_fen() > params.large_machinery_threshold_fen) {
      machinery = true;
      break;
    }
  }
  // R5, R6, R7
  const bool deposits = assets.financial().deposits_fen() >
                        params.deposit_limit_months * params.monthly_standard_fen * size;
  const bool housing = assets.homes().count() > params.max_houses;
  const bool income = per_capita_fen >= params.monthly_standard_fen;

  // Pushed in byte order, so no sort is needed.
  if (deposits) result.reasons.emplace_back("DEPOSITS");
  if (housing) result.reasons.emplace_back("HOUSING");
  if (income) result.reasons.emplace_back("INCOME");
  if (machinery) result.reasons.emplace_back("MACHINERY");
  if (staff) result.reasons.emplace_back("SALARIED_STAFF");
  if (vehicle) result.reasons.emplace_back("VEHICLE");

  result.eligible = result.reasons.empty();
  result.relative_flag = relative;
  result.per_capita_fen = per_capita_fen;
  // R9
  if (result.eligible) {
    const int64_t gap = (params.monthly_standard_fen - per_capita_fen) * size;
    const int64_t rounded =
        CeilDiv(gap, params.benefit_rounding_fen) * params.benefit_rounding_fen;
    result.benefit_fen = std::max(rounded, params.min_benefit_fen);
  }
  return result;
}

}  // namespace heyan::workload
