// Writers of an Explanation (explanation.h) as text, JSON and HTML. Private to the explain
// stage; the public door is heyan/explain.h.
//
// Renderers only lay out what the builder put in the Explanation: privacy decisions (what
// an applicant may see) are made once, in the builder, so the three formats cannot differ
// in what they disclose.
#ifndef HEYAN_EXPLAIN_RENDER_H_
#define HEYAN_EXPLAIN_RENDER_H_

#include <cstdint>
#include <string>

#include "explain/explanation.h"

namespace heyan::explain_internal {

// The applicant letter's request to bring the missing documents to the issuing office
// (ExplainOptions.issuing_office, else the township government generically).
std::string BringDocuments(const Explanation& e);

// "另有 N 项未逐项列出…": the items of a group the trace did not list (ItemGroup.omitted).
std::string OmittedItemsText(const Explanation& e, int64_t omitted);

std::string RenderText(const Explanation& e);
std::string RenderJson(const Explanation& e);
std::string RenderHtml(const Explanation& e);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& s);

// Words of the explanation in its language ("zh" or "en").
inline const char* Say(const Explanation& e, const char* zh, const char* en) {
  return e.language == "en" ? en : zh;
}

}  // namespace heyan::explain_internal

#endif  // HEYAN_EXPLAIN_RENDER_H_
