// HEYAN_EXPORT marks what libheyan.so exports. The library is compiled with hidden
// visibility (src/CMakeLists.txt), so anything in include/heyan/ that a program calls out of
// line carries this mark; everything else stays inside the library.
#ifndef HEYAN_EXPORT_H_
#define HEYAN_EXPORT_H_

#if defined(__GNUC__)
#define HEYAN_EXPORT __attribute__((visibility("default")))
#else
#define HEYAN_EXPORT
#endif

#endif  // HEYAN_EXPORT_H_
