// Resident ID numbers (居民身份证号码, GB 11643-1999) as registry files write them.
//
// A standard ID has 18 characters: 17 digits, then a check character (a digit or X) that is
// ISO 7064 MOD 11-2 over the first 17. Registries are matched on the ID, so an ID that is not
// of this form (a spreadsheet's 4.10183E+17, a 15-digit first-generation number, full-width
// digits) would silently match nobody; loading refuses it instead. Private to the library.
#ifndef HEYAN_COMMON_ID_NUMBER_H_
#define HEYAN_COMMON_ID_NUMBER_H_

#include <string>
#include <string_view>

namespace heyan::internal {

// The ID inside the wrappers exports put around it: surrounding ASCII whitespace, a pair of
// double or single quotes, the spreadsheet formula form ="...", a leading apostrophe (a
// spreadsheet's "this is text" mark). Anything else is returned as it is (trimmed).
std::string_view UnwrapIdText(std::string_view text);

// Why `id` is not a standard 18-character ID, in Chinese and naming the value (shortened);
// "" when it is one. Lower-case x is accepted as the check character.
std::string IdFormatProblem(std::string_view id);

// The check character `id` should have: '0'-'9' or 'X'. `id` must have at least 17 digits.
char IdCheckCharacter(std::string_view id);

// True if the 18th character of a standard ID is its check character (x counts as X).
bool IdCheckCharacterOk(std::string_view id);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_ID_NUMBER_H_
