#include "support/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace {
thread_local uint64_t allocations_on_this_thread = 0;
}  // namespace

// The replaceable global allocation functions; operator new[] and the aligned and nothrow
// forms call these by default.
void* operator new(size_t size) {
  ++allocations_on_this_thread;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace heyan::test_support {

uint64_t AllocationsOnThisThread() { return allocations_on_this_thread; }

}  // namespace heyan::test_support
