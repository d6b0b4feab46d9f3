// Parse stage: rule-file text -> ast::RuleFile.
//
// This stage's external interface is just these two functions. The ANTLR-generated lexer
// and parser live in the private target heyan_antlr_internal; only parser.cc includes them,
// and no exception leaves it. Problems in the text are diagnostics (E00xx, E01xx), never a
// Status, a crash or an exception.
#ifndef HEYAN_PARSER_PARSER_H_
#define HEYAN_PARSER_PARSER_H_

#include <memory>

#include "ast/ast.h"
#include "common/source.h"

namespace heyan::internal {

struct ParseLimits {
  size_t max_source_bytes = 1 << 20;
  int max_nesting_depth = 64;
};

// Parses file `file` of `sources`. Errors go to `sink`. After syntax or literal errors the
// result holds the declarations that are still whole and has `incomplete` set (the names the
// others define are in unparsed_names / unparsed_rule_ids), so that one run can also check
// the rest. Returns null when nothing can be checked: the header or an import is broken, the
// file is not UTF-8 or too large, nesting is too deep, or there are too many syntax errors.
std::unique_ptr<ast::RuleFile> ParseRuleFile(const SourceSet& sources, int file,
                                             const ParseLimits& limits, DiagnosticSink* sink);

// Parses the whole of file `file` as one expression (used for parameter overrides given as
// text). `next_id` supplies node ids. Null on error (reported to `sink`).
std::unique_ptr<ast::Expr> ParseStandaloneExpression(const SourceSet& sources, int file,
                                                     const ParseLimits& limits, int* next_id,
                                                     DiagnosticSink* sink);

}  // namespace heyan::internal

#endif  // HEYAN_PARSER_PARSER_H_
