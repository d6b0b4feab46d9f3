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

// Parses file `file` of `sources`. Returns null when the file has syntax errors (they are in
// `sink`); a non-null result may still carry literal errors (E0104) reported to `sink`.
std::unique_ptr<ast::RuleFile> ParseRuleFile(const SourceSet& sources, int file,
                                             const ParseLimits& limits, DiagnosticSink* sink);

// Parses the whole of file `file` as one expression (used for parameter overrides given as
// text). `next_id` supplies node ids. Null on error (reported to `sink`).
std::unique_ptr<ast::Expr> ParseStandaloneExpression(const SourceSet& sources, int file,
                                                     const ParseLimits& limits, int* next_id,
                                                     DiagnosticSink* sink);

}  // namespace heyan::internal

#endif  // HEYAN_PARSER_PARSER_H_
