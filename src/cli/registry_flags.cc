// --registry / --checked-on (see registry_flags.h).
#include "cli/registry_flags.h"

#include "absl/strings/str_cat.h"
#include "common/date.h"
#include "common/schema.h"
#include "common/text.h"

namespace heyan::cli {
using internal::Thousands;

std::string RegistryFlags::AddRegistry(const std::string& v) {
  const size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
    return absl::StrCat("--registry ", v, ": expected NAME=FILE, e.g. 财政供养人员=payroll.csv");
  }
  files.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  return "";
}

std::string RegistryFlags::AddCheckedOn(const std::string& v) {
  const size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
    return absl::StrCat("--checked-on ", v, ": expected NAME=YYYY-MM-DD[,REFERENCE], e.g. 财政供养人员=2024-03-01,财政局2024年3月批次");
  }
  const std::string name = v.substr(0, eq);
  const int index = Registries::IndexOf(name);
  if (index < 0) return absl::StrCat("--checked-on ", v, ": 没有名为“", name, "”的登记册");
  std::string rest = v.substr(eq + 1);
  RegistryCheckInfo info;
  const size_t comma = rest.find(',');
  info.checked_on = rest.substr(0, comma);
  if (comma != std::string::npos) info.reference = rest.substr(comma + 1);
  int32_t days;
  if (!internal::ParseDate(info.checked_on, &days)) {
    return absl::StrCat("--checked-on ", v, ": “", info.checked_on, "”不是 YYYY-MM-DD 格式的日期");
  }
  checks[index] = info;
  return "";
}

absl::Status RegistryFlags::Load(Registries* registries) const {
  for (const auto& [index, info] : checks) {
    bool loaded = false;
    for (const auto& [name, file] : files) loaded = loaded || Registries::IndexOf(name) == index;
    if (!loaded) {
      const auto& schema = internal::Schema::Get();
      return absl::InvalidArgumentError(absl::StrCat("--checked-on ", schema.FieldName(schema.RegistryField(index)),
                                                     ": 没有用 --registry 加载这个登记册"));
    }
  }
  for (const auto& [name, file] : files) {
    RegistryCheckInfo check;
    auto it = checks.find(Registries::IndexOf(name));
    if (it != checks.end()) check = it->second;
    if (absl::Status s = registries->LoadFile(name, file, RegistryFormat::kAuto, check); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("--registry ", name, "=", file, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

std::string RegistryFlags::Lines(const Registries& registries, bool en) const {
  std::string out;
  const auto& schema = internal::Schema::Get();
  for (const RegistryFile& f : registries.files()) {
    const int index = Registries::IndexOf(f.registry);
    const std::string zh = schema.FieldName(schema.RegistryField(index));
    const int64_t n = static_cast<int64_t>(f.records);
    const RegistryCheckInfo* check = registries.check(index);
    if (en) {
      absl::StrAppend(&out, "  registry ", f.registry, ": ", Thousands(n), n == 1 ? " record (" : " records (", f.path);
      if (check != nullptr) {
        absl::StrAppend(&out, "; checked on ", check->checked_on, checks.count(index) ? "" : " (file date)",
                        ", reference ", check->reference);
      }
      out += ")";
    } else {
      absl::StrAppend(&out, "  登记册 ", zh, "：", Thousands(n), " 条（", f.path);
      if (check != nullptr) {
        absl::StrAppend(&out, "；核对日期 ", check->checked_on, checks.count(index) ? "" : "（取自文件修改时间）",
                        "，批次 ", check->reference);
      }
      out += "）";
    }
    if (f.bad_check_characters > 0) {
      const int64_t bad = static_cast<int64_t>(f.bad_check_characters);
      absl::StrAppend(&out, en ? absl::StrCat(", ", Thousands(bad), " with a wrong ID check character (first: ",
                                              f.first_bad_check_character, ")")
                               : absl::StrCat("，其中 ", Thousands(bad), " 条身份证号校验位不符（首个：",
                                              f.first_bad_check_character, "）"));
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace heyan::cli
