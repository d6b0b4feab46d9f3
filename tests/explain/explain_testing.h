// Shared by the explain tests and the HTML page generator: compile the example rules,
// read a case application and decide it with a trace.
#ifndef HEYAN_TESTS_EXPLAIN_EXPLAIN_TESTING_H_
#define HEYAN_TESTS_EXPLAIN_EXPLAIN_TESTING_H_

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/text_format.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"

namespace heyan::testing {

inline std::string SourceDir() { return HEYAN_SOURCE_DIR; }

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compiles a rule file (path relative to the source tree) with parameter overrides; null
// and a printed diagnostic list if it does not compile.
inline std::shared_ptr<const Program> CompileRules(const std::string& relative,
                                                   const std::map<std::string, std::string>& overrides = {},
                                                   std::string* errors = nullptr) {
  CompileOptions options;
  options.parameter_overrides = overrides;
  absl::StatusOr<CompileResult> r = CompileFile(SourceDir() + "/" + relative, options);
  if (!r.ok()) {
    if (errors) *errors = std::string(r.status().message());
    return nullptr;
  }
  if (!r->ok() && errors) {
    for (const Diagnostic& d : r->diagnostics) *errors += FormatDiagnostic(d);
  }
  return r->program;
}

// Reads tests/explain/cases/NAME.textproto.
inline bool ReadCase(const std::string& name, v1::Application* application) {
  std::string text = ReadFileOrEmpty(SourceDir() + "/tests/explain/cases/" + name + ".textproto");
  return !text.empty() && google::protobuf::TextFormat::ParseFromString(text, application);
}

// Registries given as registry name -> ID numbers.
using RegistryIds = std::vector<std::pair<std::string, std::string>>;

// Every registry counts as checked for everyone (a complete verification run), holding the
// IDs given.
inline Registries MakeRegistries(const RegistryIds& ids) {
  Registries r;
  for (const auto& [name, id] : ids) (void)r.AddId(name, id);
  for (const std::string& name : Registries::Names()) {
    (void)r.MarkChecked(name, RegistryCheckInfo{"2023-06-01", "测试核对批次", ""});
  }
  return r;
}

}  // namespace heyan::testing

#endif  // HEYAN_TESTS_EXPLAIN_EXPLAIN_TESTING_H_
