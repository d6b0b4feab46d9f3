// Privacy helpers for explanations meant for applicants. Private to the explain stage
// (src/explain); the applicant letter in explain.cc is their user.
//
// Why masking lives in one place: an applicant letter mixes text from many sources (rule
// messages written by rule authors, values rendered by the engine, names from the
// application), and any of them may carry another person's ID number or name. Every string
// that reaches an applicant passes through these functions.
#ifndef HEYAN_EXPLAIN_PRIVACY_H_
#define HEYAN_EXPLAIN_PRIVACY_H_

#include <string>
#include <string_view>
#include <vector>

namespace heyan::explain_internal {

// Masks one ID number: the first 4 and the last 4 characters stay, every character in
// between becomes '*': "410105199001011234" -> "4101**********1234" (18 characters),
// "410105900101123" -> "4101*******1123" (15). Characters are code points, so full-width
// digits count as one. A string of 8 characters or fewer becomes all stars (nothing short
// enough to be guessed from its ends is revealed).
std::string MaskIdNumber(std::string_view id);

// Masks every ID-number-like token in free text: a run of 15 or more digits (ASCII or
// full-width), where a run of exactly 17 digits may end in the check character X/x. Runs
// are maximal, so a digit run inside a longer number is never half-masked; runs of 16 or
// 19 digits (bank cards) are masked too, because a letter to an applicant has no use for
// them. Shorter numbers (money, dates, counts) are untouched.
std::string MaskIdNumbersInText(std::string_view text);

// Masks a person's name: the first character stays, every other character becomes '*':
// "张三" -> "张*", "欧阳娜娜" -> "欧***". An empty name stays empty; a one-character name
// becomes "*".
std::string MaskName(std::string_view name);

// Replaces every occurrence of each name in `names` by MaskName(name). Longer names are
// matched first, so "张三丰" is masked whole even when "张三" is also listed. Names shorter
// than 2 characters are not searched for (a single character would garble ordinary words).
std::string MaskNamesInText(std::string_view text, const std::vector<std::string>& names);

// True if `text` contains `name` (2 characters or more) or, for an ID number, the number
// itself. Used to decide whether a rule's message concerns a given person.
bool MentionsPerson(std::string_view text, std::string_view name, std::string_view id_number);

}  // namespace heyan::explain_internal

#endif  // HEYAN_EXPLAIN_PRIVACY_H_
