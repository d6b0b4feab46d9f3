// RegistryView: loaded registries plus a request's own checks (see registry_view.h).
#include "runtime/registry_view.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/date.h"
#include "common/schema.h"

namespace heyan::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const FieldDescriptor* IdField(const FieldDescriptor* registry_field) {
  return registry_field->message_type()->FindFieldByName("id_number");
}

std::string_view IdOf(const Message& record, const FieldDescriptor* id_field) {
  std::string scratch;
  const std::string& id = record.GetReflection()->GetStringReference(record, id_field, &scratch);
  // Generated messages return a reference to their own storage, never to `scratch`.
  return id;
}

bool Names(const v1::RegistryCheck& check, std::string_view id) {
  if (check.id_numbers().empty()) return true;
  return std::find(check.id_numbers().begin(), check.id_numbers().end(), id) != check.id_numbers().end();
}

}  // namespace

absl::Status RegistryView::Reset(const Registries* loaded, const v1::VerificationRecords* records) {
  loaded_ = loaded;
  records_ = records;
  if (any_request_checks_) {
    for (auto& v : checks_by_registry_) v.clear();
    any_request_checks_ = false;
  }
  if (records == nullptr) return absl::OkStatus();
  const Schema& schema = Schema::Get();
  const int registry_count = schema.registries()->field_count();
  if (checks_by_registry_.size() != static_cast<size_t>(registry_count)) checks_by_registry_.resize(registry_count);
  for (int i = 0; i < records->checks_size(); ++i) {
    const v1::RegistryCheck& check = records->checks(i);
    // Built only for an error: this runs for every request.
    auto where = [i] { return absl::StrCat("records.checks[", i, "]"); };
    const int registry = schema.RegistryIndex(check.registry());
    if (registry < 0) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ".registry: 未知的登记册“", check.registry(),
                                                     "”（可用：", absl::StrJoin(schema.RegistryNames(), "、"), "）"));
    }
    int32_t days;
    if (!ParseDate(check.checked_on(), &days)) {
      return absl::InvalidArgumentError(absl::StrCat(where(), ".checked_on: 核对日期“", check.checked_on(),
                                                     "”不是 YYYY-MM-DD 格式的日期（每次核对都须写明日期）"));
    }
    if (check.reference().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), ".reference: 缺少核对批次（核对平台的查询编号或批次号），无法追溯这次核对"));
    }
    for (int k = 0; k < check.id_numbers_size(); ++k) {
      if (check.id_numbers(k).empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ".id_numbers[", k, "]: 身份证号为空"));
      }
    }
    checks_by_registry_[registry].push_back(i);
    any_request_checks_ = true;
  }
  // Every returned record must belong to a check: a record without provenance cannot be cited.
  const Message& all = records->records();
  const auto* reflection = all.GetReflection();
  for (int registry = 0; registry < registry_count; ++registry) {
    const FieldDescriptor* field = schema.RegistryField(registry);
    const int n = reflection->FieldSize(all, field);
    if (n == 0) continue;
    const FieldDescriptor* id_field = IdField(field);
    for (int k = 0; k < n; ++k) {
      auto where = [field, k] { return absl::StrCat("records.records.", field->name(), "[", k, "]"); };
      std::string_view id = IdOf(reflection->GetRepeatedMessage(all, field, k), id_field);
      if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(where(), ".id_number: 身份证号为空"));
      bool covered = false;
      for (int c : checks_by_registry_[registry]) covered = covered || Names(records->checks(c), id);
      if (!covered) {
        return absl::InvalidArgumentError(absl::StrCat(where(), ".id_number: 身份证号 ", std::string(id), " 的", schema.FieldName(field),
                                                       "记录没有对应的核对（records.checks 中没有覆盖此人的“",
                                                       schema.FieldName(field), "”核对），无法说明它的来源"));
      }
    }
  }
  return absl::OkStatus();
}

int RegistryView::RequestCovering(int registry, std::string_view id) const {
  for (int c : checks_by_registry_[registry]) {
    if (Names(records_->checks(c), id)) return c;
  }
  return loaded_ != nullptr && loaded_->check(registry) != nullptr ? kLoaded : kUnchecked;
}

bool RegistryView::Contains(int registry, int check, std::string_view id) const {
  if (check == kLoaded) return loaded_->Contains(registry, id);
  const Message& all = records_->records();
  const FieldDescriptor* field = Schema::Get().RegistryField(registry);
  const FieldDescriptor* id_field = IdField(field);
  const auto* reflection = all.GetReflection();
  const int n = reflection->FieldSize(all, field);
  for (int k = 0; k < n; ++k) {
    if (IdOf(reflection->GetRepeatedMessage(all, field, k), id_field) == id) return true;
  }
  return false;
}

void RegistryView::Fetch(int registry, int check, std::string_view id, std::vector<const Message*>* out,
                         Registries::FetchBuffer* owned) const {
  if (check == kLoaded) {
    const size_t first = owned->used;
    loaded_->FetchInto(registry, id, owned);
    for (size_t k = first; k < owned->used; ++k) out->push_back(owned->messages[k].get());
    return;
  }
  const Message& all = records_->records();
  const FieldDescriptor* field = Schema::Get().RegistryField(registry);
  const FieldDescriptor* id_field = IdField(field);
  const auto* reflection = all.GetReflection();
  const int n = reflection->FieldSize(all, field);
  for (int k = 0; k < n; ++k) {
    const Message& record = reflection->GetRepeatedMessage(all, field, k);
    if (IdOf(record, id_field) == id) out->push_back(&record);
  }
}

RegistryView::Provenance RegistryView::ProvenanceOf(int registry, int check) const {
  if (check == kLoaded) {
    const RegistryCheckInfo* info = loaded_->check(registry);
    return {info->checked_on, info->reference, info->source};
  }
  const v1::RegistryCheck& c = records_->checks(check);
  return {c.checked_on(), c.reference(), c.source()};
}

}  // namespace heyan::internal
