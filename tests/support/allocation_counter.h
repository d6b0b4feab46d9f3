// Counts the heap allocations of the calling thread. Linking heyan_allocation_counter replaces
// the global operator new of the program (allocation_test, evaluate_benchmark) with one that
// counts; nothing else changes.
#ifndef HEYAN_TESTS_SUPPORT_ALLOCATION_COUNTER_H_
#define HEYAN_TESTS_SUPPORT_ALLOCATION_COUNTER_H_

#include <cstdint>

namespace heyan::test_support {

// Calls of operator new on this thread since it started.
uint64_t AllocationsOnThisThread();

}  // namespace heyan::test_support

#endif  // HEYAN_TESTS_SUPPORT_ALLOCATION_COUNTER_H_
