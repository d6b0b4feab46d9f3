// Reading one household (see household.h).
#include "io/household.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/date.h"
#include "common/schema.h"
#include "common/text.h"
#include "google/protobuf/util/json_util.h"
#include "heyan/v1/options.pb.h"
#include "heyan/v1/testcase.pb.h"
#include "io/chinese_text.h"
#include "io/input_file.h"
#include "io/record_check.h"
#include "simdjson.h"

namespace heyan::io {
namespace {

enum class Kind { kApplication, kRequest, kTestCase };

// The names of a JSON object's or a text-format message's top-level fields.
std::set<std::string> TopLevelNames(std::string_view text, bool json) {
  std::set<std::string> names;
  if (json) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    simdjson::padded_string padded(text.data(), text.size());
    if (parser.parse(padded).get_object().get(object) == simdjson::SUCCESS) {
      for (auto [key, value] : object) names.insert(std::string(key));
    }
    return names;
  }
  // Text format: identifiers at nesting depth 0 that start a field (followed by ':' or '{').
  int depth = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
    } else if (c == '{' || c == '<') {
      ++depth, ++i;
    } else if (c == '}' || c == '>') {
      --depth, ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':' || c == ',' || c == ';') {
      ++i;
    } else {
      size_t j = i;
      while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n' && text[j] != '\r' &&
             text[j] != ':' && text[j] != '{' && text[j] != '"' && text.compare(j, 3, "：") != 0 &&
             text.compare(j, 3, "｛") != 0) {
        ++j;
      }
      if (depth == 0 && j > i) names.insert(std::string(text.substr(i, j - i)));
      i = j > i ? j : i + 1;
    }
  }
  return names;
}

Kind KindOf(const std::set<std::string>& names) {
  static const std::set<std::string> kCase = {"名称", "说明", "规则", "参数", "登记册", "预期", "name",
                                              "description", "rules", "parameters", "registries", "expect"};
  static const std::set<std::string> kRequest = {"申请", "核对结果", "请求编号", "规则指纹", "规则集",
                                                 "application", "records", "request_id", "requestId",
                                                 "rules_fingerprint", "rulesFingerprint", "ruleset"};
  for (const std::string& n : names) {
    if (kCase.count(n)) return Kind::kTestCase;
  }
  for (const std::string& n : names) {
    if (kRequest.count(n)) return Kind::kRequest;
  }
  return Kind::kApplication;
}

// JSON: protobuf's reading first; Chinese keys, values and units through the translator.
absl::Status ParseJson(std::string_view text, google::protobuf::Message* out, bool english) {
  google::protobuf::util::JsonParseOptions options;
  if (google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(text.data(), text.size()), out, options)
          .ok()) {
    return absl::OkStatus();
  }
  std::string translated, error;
  if (!TranslateChineseJson(text, out->GetDescriptor(), english, &translated, &error)) {
    return absl::InvalidArgumentError(error);
  }
  out->Clear();
  auto status = google::protobuf::util::JsonStringToMessage(translated, out, options);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  return absl::OkStatus();
}

absl::Status ParseText(std::string_view text, google::protobuf::Message* out, bool english) {
  std::vector<LineError> errors;
  if (ParseChineseText(std::string(text), out, english, nullptr, &errors)) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const LineError& e : errors) {
    lines.push_back(english ? absl::StrCat("line ", e.line, ": ", e.message) : absl::StrCat("第 ", e.line, " 行：", e.message));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, english ? "; " : "；"));
}

// A test case's 登记册 as a verification result: every registry checked for everyone on the
// case's evaluation date, with the records listed (what `heyan test` does).
void CaseAsRequest(const v1::TestCase& test, v1::VerificationRequest* request) {
  *request->mutable_application() = test.application();
  request->set_as_of(test.as_of());
  if (test.has_records()) {
    *request->mutable_records() = test.records();
    return;
  }
  std::string date = !test.as_of().empty()                   ? test.as_of()
                     : !test.application().as_of().empty() ? test.application().as_of()
                                                               : test.application().application_date();
  int32_t days;
  if (!internal::ParseDate(date, &days)) date = "1970-01-01";
  for (const std::string& name : internal::Schema::Get().RegistryProtoNames()) {
    v1::RegistryCheck* check = request->mutable_records()->add_checks();
    check->set_registry(name);
    check->set_checked_on(date);
    check->set_reference(test.name().empty() ? "测试案例" : absl::StrCat("测试案例 ", test.name()));
  }
  *request->mutable_records()->mutable_records() = test.registries();
}

}  // namespace

absl::Status CheckHousehold(const v1::VerificationRequest& request) {
  std::string field, problem;
  if (!CheckRecord(request.application(), RecordCheckOptions{}, &field, &problem)) {
    return absl::InvalidArgumentError(absl::StrCat("application.", field, ": ", problem));
  }
  RecordCheckOptions records;
  records.dates = true;
  if (!CheckRecord(request.records(), records, &field, &problem)) {
    return absl::InvalidArgumentError(absl::StrCat("records.", field, ": ", problem));
  }
  return absl::OkStatus();
}

absl::Status ReadHousehold(std::string_view text, bool english, Household* out) {
  out->request.Clear();
  out->is_request = false;
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    return absl::InvalidArgumentError(english ? "empty: no household" : "内容为空，没有申请");
  }
  const bool json = text[start] == '{';
  const Kind kind = KindOf(TopLevelNames(text, json));
  auto parse = [&](google::protobuf::Message* m) { return json ? ParseJson(text, m, english) : ParseText(text, m, english); };
  absl::Status s;
  std::string prefix;
  switch (kind) {
    case Kind::kApplication:
      s = parse(out->request.mutable_application());
      break;
    case Kind::kRequest:
      s = parse(&out->request);
      out->is_request = true;
      break;
    case Kind::kTestCase: {
      v1::TestCase test;
      s = parse(&test);
      if (s.ok()) CaseAsRequest(test, &out->request);
      out->is_request = true;
      break;
    }
  }
  if (!s.ok()) return s;
  // The value checks every reader makes (negative amounts, undeclared enum numbers; dates of
  // registry records — an application's dates are judged by the evaluator, as missing evidence).
  return CheckHousehold(out->request);
}

namespace {

// ---- CSV: one row per member ----------------------------------------------------------------

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

const FieldDescriptor* FieldNamed(const Descriptor* d, const std::string& name) {
  if (const FieldDescriptor* f = d->FindFieldByName(name)) return f;
  if (const FieldDescriptor* f = d->FindFieldByCamelcaseName(name)) return f;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->options().GetExtension(v1::zh) == name) return d->field(i);
  }
  return nullptr;
}

// One path segment of a header: a field name as written, with a 1-based item number for a
// list (收入1), or 0.
struct Segment {
  std::string name;
  int index = 0;
};

// A JSON tree built from the cells, keys as the header wrote them (so io/chinese_text.h applies
// its rules for Chinese names: money and areas need units).
struct Node {
  std::map<std::string, std::unique_ptr<Node>> fields;
  std::vector<std::string> order;           // field keys in first-use order
  std::vector<std::unique_ptr<Node>> items;  // a list
  bool is_list = false;
  bool has_value = false;
  std::string value;

  Node* Field(const std::string& key) {
    auto& slot = fields[key];
    if (slot == nullptr) {
      slot = std::make_unique<Node>();
      order.push_back(key);
    }
    return slot.get();
  }
  Node* Item(int index) {
    is_list = true;
    while (static_cast<int>(items.size()) < index) items.push_back(std::make_unique<Node>());
    return items[index - 1].get();
  }
  void Json(std::string* out) const {
    if (has_value) {
      out->append(internal::JsonQuote(value));
    } else if (is_list) {
      out->push_back('[');
      for (size_t k = 0; k < items.size(); ++k) {
        if (k > 0) out->push_back(',');
        items[k]->Json(out);
      }
      out->push_back(']');
    } else {
      out->push_back('{');
      for (size_t k = 0; k < order.size(); ++k) {
        if (k > 0) out->push_back(',');
        absl::StrAppend(out, internal::JsonQuote(order[k]), ":");
        fields.at(order[k])->Json(out);
      }
      out->push_back('}');
    }
  }
};

void Put(Node* node, const std::vector<Segment>& path, size_t from, const std::string& value) {
  for (size_t k = from; k < path.size(); ++k) {
    node = node->Field(path[k].name);
    if (path[k].index > 0) node = node->Item(path[k].index);
  }
  node->has_value = true;
  node->value = value;
}

struct Column {
  std::string header;
  bool member = false;        // under 成员
  std::vector<Segment> path;  // below the application (household) or the member
};

// Parses and checks one header against the data model; "" if fine, else why not.
std::string ParseHeader(const std::string& header, bool english, Column* out, std::string* members_key) {
  out->header = header;
  std::vector<std::string> parts = absl::StrSplit(header, '.');
  const Descriptor* d = v1::Application::descriptor();
  size_t k = 0;
  const FieldDescriptor* members = d->FindFieldByName("members");
  if (FieldNamed(d, parts[0]) == members) {
    if (parts.size() == 1) {
      return english ? "write the member field after it, e.g. 成员.身份证号" : "成员 后面要写成员的字段，如 成员.身份证号";
    }
    out->member = true;
    *members_key = parts[0];
    d = members->message_type();
    k = 1;
  }
  for (; k < parts.size(); ++k) {
    Segment seg;
    std::string name = parts[k];
    size_t digits = name.size();
    while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9') --digits;
    const FieldDescriptor* f = FieldNamed(d, name);
    if (f == nullptr && digits < name.size() && digits > 0) {
      f = FieldNamed(d, name.substr(0, digits));
      if (f != nullptr && f->is_repeated()) {
        seg.index = std::stoi(name.substr(digits));
        name.resize(digits);
      } else {
        f = nullptr;
      }
    }
    if (f == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < d->field_count(); ++i) {
        const std::string& zh = d->field(i)->options().GetExtension(v1::zh);
        names.push_back(zh.empty() || english ? d->field(i)->name() : zh);
      }
      const std::string suggestion = internal::ClosestMatch(name, names);
      return english ? absl::StrCat("'", name, "' is not a field", suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)")
                     : absl::StrCat("“", name, "”不是字段", suggestion.empty() ? "" : "（您是不是要写：" + suggestion + "）");
    }
    if (f->is_repeated() && f->message_type() != nullptr && seg.index == 0) {
      return english ? absl::StrCat("'", name, "' is a list: number its items, e.g. ", name, "1.…")
                     : absl::StrCat("“", name, "”可以有多项，请写明第几项，如 ", name, "1.…");
    }
    if (seg.index > 0 && seg.index > 100) return english ? "item number above 100" : "项目序号超过 100";
    seg.name = name;
    out->path.push_back(seg);
    const bool last = k + 1 == parts.size();
    if (f->message_type() != nullptr) {
      if (last) return english ? "names a group of fields, not a value" : "是一组字段，不是一个值；请写到具体字段";
      d = f->message_type();
    } else if (!last) {
      return english ? "has no fields below it" : "下面没有字段";
    }
  }
  return "";
}

}  // namespace

absl::Status ReadHouseholdsCsv(const std::string& path, bool english, std::vector<std::string>* json_lines) {
  absl::StatusOr<InputFile> file = InputFile::Open(path, kApplicationFile, english);
  if (!file.ok()) return file.status();
  LineReader lines(&*file);
  std::vector<Column> columns;
  std::string members_key = "成员";
  int id_column = -1;
  std::vector<std::string> cells;
  std::unique_ptr<Node> household;
  std::vector<std::string> first_row;  // the household cells of the household's first row
  int64_t first_line = 0;
  auto where = [&](int64_t line, const std::string& column) {
    return absl::StrCat(path, ":", line, column.empty() ? "" : ": ", column);
  };
  auto finish = [&]() -> absl::Status {
    if (household == nullptr) return absl::OkStatus();
    std::string json;
    household->Json(&json);
    std::string translated, error;
    if (!TranslateChineseJson(json, v1::Application::descriptor(), english, &translated, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(where(first_line, ""), ": ", error));
    }
    v1::Application application;
    auto status = google::protobuf::util::JsonStringToMessage(translated, &application);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(first_line, ""), ": ", std::string(status.message())));
    }
    if (absl::Status s = CheckHousehold([&] {
          v1::VerificationRequest r;
          *r.mutable_application() = application;
          return r;
        }());
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(first_line, ""), ": ", s.message()));
    }
    std::string out;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(application, &out, print);
    json_lines->push_back(std::move(out));
    household.reset();
    return absl::OkStatus();
  };
  std::string_view raw;
  while (lines.Next(&raw)) {
    const int64_t n = lines.line_number();
    if (absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())).empty()) continue;
    if (!SplitCsvLine(raw, &cells)) {
      return absl::InvalidArgumentError(absl::StrCat(where(n, ""), ": ", english ? "unterminated quote" : "引号没有结束"));
    }
    for (std::string& c : cells) c = std::string(absl::StripAsciiWhitespace(c));
    if (columns.empty()) {
      std::set<std::string> seen;
      for (const std::string& h : cells) {
        Column c;
        if (std::string problem = ParseHeader(h, english, &c, &members_key); !problem.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(where(n, h), ": ", problem));
        }
        if (!seen.insert(h).second) {
          return absl::InvalidArgumentError(
              absl::StrCat(where(n, h), ": ", english ? "column appears twice" : "列名重复"));
        }
        if (!c.member && c.path.size() == 1 && c.path[0].index == 0 &&
            v1::Application::descriptor()->FindFieldByName("id") == FieldNamed(v1::Application::descriptor(), c.path[0].name)) {
          id_column = static_cast<int>(columns.size());
        }
        columns.push_back(std::move(c));
      }
      if (id_column < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(n, ""), ": ", english ? "the header needs an id (编号) column: rows with the same 编号 are one household"
                                       : "表头需要“编号”列：编号相同的相邻行是同一户"));
      }
      continue;
    }
    if (cells.size() != columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat(where(n, ""), ": ", cells.size(), english ? " cells, the header has " : " 个单元格，表头有 ",
                                                     columns.size(), english ? "" : " 列"));
    }
    const std::string& id = cells[id_column];
    if (id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where(n, columns[id_column].header), ": ",
                                                     english ? "empty: every row needs the household's id" : "为空：每一行都要写本户的编号"));
    }
    if (household == nullptr || first_row[id_column] != id) {
      if (absl::Status s = finish(); !s.ok()) return s;
      household = std::make_unique<Node>();
      first_row = cells;
      first_line = n;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (!columns[c].member && !cells[c].empty()) Put(household.get(), columns[c].path, 0, cells[c]);
      }
    } else {
      for (size_t c = 0; c < columns.size(); ++c) {
        if (!columns[c].member && !cells[c].empty() && cells[c] != first_row[c]) {
          return absl::InvalidArgumentError(absl::StrCat(
              where(n, columns[c].header), ": ",
              english ? absl::StrCat("'", cells[c], "' differs from the household's first row (line ", first_line, ": '", first_row[c], "'); leave it empty or repeat it")
                      : absl::StrCat("“", cells[c], "”与本户第一行（第 ", first_line, " 行）的“", first_row[c], "”不同；户级字段请留空或照抄")));
        }
      }
    }
    // This row's member, if it has any member cell.
    Node* member = nullptr;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!columns[c].member || cells[c].empty()) continue;
      if (member == nullptr) {
        Node* list = household->Field(members_key);
        member = list->Item(static_cast<int>(list->items.size()) + 1);
      }
      Put(member, columns[c].path, 0, cells[c]);
    }
  }
  if (!lines.status().ok()) return lines.status();
  return finish();
}

}  // namespace heyan::io
