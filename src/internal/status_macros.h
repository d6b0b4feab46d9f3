// Internal helpers that keep Status-returning code flat. Not part of the public API.
#ifndef HEYAN_INTERNAL_STATUS_MACROS_H_
#define HEYAN_INTERNAL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HEYAN_INTERNAL_CONCAT_(a, b) a##b
#define HEYAN_INTERNAL_CONCAT(a, b) HEYAN_INTERNAL_CONCAT_(a, b)

#define HEYAN_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::absl::Status heyan_status_ = (expr);           \
    if (!heyan_status_.ok()) return heyan_status_;   \
  } while (0)

#define HEYAN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#define HEYAN_ASSIGN_OR_RETURN(lhs, rexpr) \
  HEYAN_ASSIGN_OR_RETURN_IMPL_(HEYAN_INTERNAL_CONCAT(heyan_statusor_, __LINE__), lhs, rexpr)

#endif  // HEYAN_INTERNAL_STATUS_MACROS_H_
