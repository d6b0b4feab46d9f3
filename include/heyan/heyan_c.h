/* heyan_c.h: the C ABI of Heyan, for county systems written in C, Go (cgo), Java (JNI/FFM),
 * .NET (P/Invoke) and anything else that can call C.
 *
 * It wraps the C++ API (compiler.h, program.h, registry.h) with opaque handles and error
 * codes; no C++ type appears here. Data crosses it serialized: an application goes in as the
 * protobuf binary encoding of heyan.v1.Application (proto/heyan/v1/application.proto) and a
 * decision comes back as the binary encoding of heyan.v1.Decision, so callers use their own
 * language's protobuf library and never share objects with Heyan.
 *
 *   heyan_error* err = NULL;
 *   heyan_program* program = NULL;
 *   if (heyan_compile_file("rules/henan/zhengzhou.heyan", &program, &err) != HEYAN_OK) {
 *     fprintf(stderr, "%s\n", heyan_error_message(err));   // diagnostics with carets
 *     heyan_error_free(err);
 *     return 1;
 *   }
 *   heyan_registries* registries = heyan_registries_new();
 *   heyan_registries_load(registries, "财政供养人员", "payroll.csv", HEYAN_FORMAT_AUTO, &err);
 *   heyan_bytes* decision = NULL;
 *   heyan_program_evaluate(program, registries, app_bytes, app_size, NULL, 0, &decision, &err);
 *   ... parse heyan_bytes_data(decision), heyan_bytes_size(decision) as heyan.v1.Decision ...
 *   heyan_bytes_free(decision);
 *   heyan_registries_free(registries);
 *   heyan_program_free(program);
 *
 * Conventions:
 *  - Every function that can fail returns a heyan_status; HEYAN_OK (0) is success. Its last
 *    parameter `heyan_error** error` may be NULL; otherwise, on failure, *error receives a new
 *    heyan_error (free it with heyan_error_free) and, on success, *error is left untouched.
 *  - Every object Heyan allocates is freed by the matching heyan_*_free, which accepts NULL.
 *    Result out-parameters (program, decision) are written only on success.
 *  - Strings are UTF-8 and NUL-terminated. Pointers returned by accessors stay valid as long
 *    as the object they came from.
 *  - No function throws, aborts or prints; out of memory is HEYAN_ERROR_NO_MEMORY. (libprotobuf's
 *    own log messages, such as its complaint about a string that is not UTF-8, are held back
 *    while a heyan_* call runs; in a process that also uses libprotobuf, messages other
 *    threads log during that time are held back too.)
 *
 * Thread-safety:
 *  - A heyan_program is immutable: heyan_program_evaluate and every accessor may be called
 *    on one program from any number of threads at once.
 *  - A heyan_registries may be read by any number of concurrent evaluations, but loading
 *    into it (heyan_registries_load, _add_id, _add_record) must not run concurrently with
 *    anything else on the same object. Load first, then share.
 *  - heyan_bytes and heyan_error objects belong to the caller; use one from one thread at a
 *    time.
 *  - Compiling is reentrant.
 */
#ifndef HEYAN_HEYAN_C_H_
#define HEYAN_HEYAN_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported even if the library is ever built with hidden visibility. */
#if defined(__GNUC__)
#define HEYAN_C_API __attribute__((visibility("default")))
#else
#define HEYAN_C_API
#endif

/* ---- status and errors ------------------------------------------------------------------ */

typedef enum heyan_status {
  HEYAN_OK = 0,
  /* The call itself was wrong: a NULL pointer, an unknown registry name or format, an
   * evaluation date that is not YYYY-MM-DD, invalid compile options. Fix the calling code. */
  HEYAN_ERROR_ARGUMENT = 1,
  /* The rule set has errors (or a rule file is missing or unreadable); the heyan_error
   * holds every diagnostic. Fix the rule files. */
  HEYAN_ERROR_RULES = 2,
  /* Input data is malformed: application bytes that are not a heyan.v1.Application or hold a
   * value the data model does not allow ("members[0].incomes[0].amount_fen: 不能为负数：-5"),
   * or a registry file with a bad record ("file:line: field: problem"). Fix the data. */
  HEYAN_ERROR_DATA = 3,
  /* A data file (registry) does not exist or cannot be read: a directory, a device, no
   * permission, a read error. The message starts with the path. */
  HEYAN_ERROR_NOT_FOUND = 4,
  /* Memory ran out. */
  HEYAN_ERROR_NO_MEMORY = 5,
  /* A bug in Heyan; please report the message. */
  HEYAN_ERROR_INTERNAL = 6
} heyan_status;

/* A stable, English name of a status ("HEYAN_OK", "HEYAN_ERROR_RULES", ...). Never NULL. */
HEYAN_C_API const char* heyan_status_name(heyan_status status);

/* Details of a failure. */
typedef struct heyan_error heyan_error;

HEYAN_C_API heyan_status heyan_error_status(const heyan_error* error);
/* What went wrong. For HEYAN_ERROR_RULES: every diagnostic in caret display, in the
 * language chosen at compile time (Chinese by default). */
HEYAN_C_API const char* heyan_error_message(const heyan_error* error);
HEYAN_C_API void heyan_error_free(heyan_error* error);

/* One problem in a rule file (mirrors heyan::Diagnostic, include/heyan/diagnostic.h).
 * Positions are 1-based; column and length count characters, not bytes. */
typedef struct heyan_diagnostic {
  int is_error;            /* 1 for an error, 0 for a warning */
  const char* code;        /* stable code, e.g. "E0201" (docs/reference.md) */
  const char* file;
  int line;
  int column;
  int length;
  const char* message_zh;
  const char* message_en;
  const char* suggestion;  /* "did you mean" name or keyword; "" if none */
} heyan_diagnostic;

/* Diagnostics of a HEYAN_ERROR_RULES error (0 for other errors). The returned pointer is
 * valid until the error is freed; NULL when index is out of range. */
HEYAN_C_API size_t heyan_error_diagnostic_count(const heyan_error* error);
HEYAN_C_API const heyan_diagnostic* heyan_error_diagnostic(const heyan_error* error, size_t index);

/* ---- bytes ------------------------------------------------------------------------------ */

/* A byte buffer Heyan filled (a serialized heyan.v1.Decision). */
typedef struct heyan_bytes heyan_bytes;

HEYAN_C_API const uint8_t* heyan_bytes_data(const heyan_bytes* bytes);
HEYAN_C_API size_t heyan_bytes_size(const heyan_bytes* bytes);
HEYAN_C_API void heyan_bytes_free(heyan_bytes* bytes);

/* ---- compiling ---------------------------------------------------------------------------- */

/* A name and a text: an in-memory rule file (file name, rule text) or a parameter override
 * (parameter name as declared, value in rule-language syntax such as "450元"). */
typedef struct heyan_string_pair {
  const char* name;
  const char* value;
} heyan_string_pair;

/* A compiled, immutable rule set. */
typedef struct heyan_program heyan_program;

/* Compiles the rule file at `path` and everything it imports, from the file system. */
HEYAN_C_API heyan_status heyan_compile_file(const char* path, heyan_program** program,
                                            heyan_error** error);

/* Compiles the rule set whose entry file is `entry`.
 *  - sources[0..source_count): in-memory rule files, consulted before the file system for
 *    the entry and for every import, so a rule set can be compiled from strings alone.
 *  - overrides[0..override_count): parameter values replacing the declared ones (an unknown
 *    name is diagnostic E0201); part of the rules fingerprint.
 *  - english: nonzero to build English texts into the program and error messages.
 * Either array may be NULL when its count is 0. */
HEYAN_C_API heyan_status heyan_compile(const char* entry, const heyan_string_pair* sources,
                                       size_t source_count, const heyan_string_pair* overrides,
                                       size_t override_count, int english,
                                       heyan_program** program, heyan_error** error);

HEYAN_C_API void heyan_program_free(heyan_program* program);

/* Rule set name, version, and the hex SHA-256 rules fingerprint every decision carries. */
HEYAN_C_API const char* heyan_program_name(const heyan_program* program);
HEYAN_C_API const char* heyan_program_version(const heyan_program* program);
HEYAN_C_API const char* heyan_program_fingerprint(const heyan_program* program);

/* Warnings the compiler reported for a rule set that compiled. */
HEYAN_C_API size_t heyan_program_warning_count(const heyan_program* program);
HEYAN_C_API const heyan_diagnostic* heyan_program_warning(const heyan_program* program,
                                                          size_t index);

/* ---- registries ------------------------------------------------------------------------- */

/* Verification data (核对数据), one registry per field of heyan.v1.Registries
 * (proto/heyan/v1/registry.proto), named in English ("public_payroll_staff") or Chinese
 * ("财政供养人员"). See the thread-safety notes above. */
typedef struct heyan_registries heyan_registries;

typedef enum heyan_registry_format {
  HEYAN_FORMAT_AUTO = 0,     /* from the extension: .jsonl/.json, .pb/.bin, .csv, else IDs */
  HEYAN_FORMAT_JSONL = 1,    /* one protobuf-JSON record per line */
  HEYAN_FORMAT_BINARY = 2,   /* length-delimited protobuf records */
  HEYAN_FORMAT_CSV = 3,      /* header row of field names, then one record per row */
  HEYAN_FORMAT_ID_LIST = 4   /* one ID number per line */
} heyan_registry_format;

/* Returns NULL only when memory runs out. */
HEYAN_C_API heyan_registries* heyan_registries_new(void);
HEYAN_C_API void heyan_registries_free(heyan_registries* registries);

/* Loads a file into registry `name`, adding to what is loaded. On failure nothing of the
 * file is loaded. The file may be a pipe; IDs, values and encodings are checked as
 * heyan::Registries::LoadFile documents (include/heyan/registry.h). Errors: ARGUMENT
 * (unknown registry name or format), NOT_FOUND (no such file, a directory or device, not
 * readable), DATA (a malformed record, or content without any record). */
HEYAN_C_API heyan_status heyan_registries_load(heyan_registries* registries, const char* name,
                                               const char* path, heyan_registry_format format,
                                               heyan_error** error);
/* Adds one ID number with an otherwise empty record. */
HEYAN_C_API heyan_status heyan_registries_add_id(heyan_registries* registries, const char* name,
                                                 const char* id_number, heyan_error** error);
/* Adds one record: the protobuf binary encoding of the registry's record type (e.g.
 * heyan.v1.PayrollStaffRecord for "public_payroll_staff"), with id_number set. DATA for
 * bytes that do not parse, a negative amount or count, an undeclared enum number or a
 * malformed date. */
HEYAN_C_API heyan_status heyan_registries_add_record(heyan_registries* registries,
                                                     const char* name, const void* record,
                                                     size_t record_size, heyan_error** error);
/* States that registry `name` was checked for everyone: on `checked_on` ("YYYY-MM-DD"),
 * under `reference` (the batch reference, non-empty), from `source` (may be NULL). Until a
 * registry is checked, looking a person up in it is missing evidence ("未核对"), never "no
 * record"; heyan_registries_load marks it checked with the file's date and name, and this
 * call replaces that. Errors: ARGUMENT (unknown registry, bad date, empty reference). */
HEYAN_C_API heyan_status heyan_registries_mark_checked(heyan_registries* registries, const char* name,
                                                       const char* checked_on, const char* reference,
                                                       const char* source, heyan_error** error);
/* Records in registry `name`; 0 for an unknown or empty registry. */
HEYAN_C_API size_t heyan_registries_size(const heyan_registries* registries, const char* name);

/* ---- evaluating ------------------------------------------------------------------------- */

/* Flags for heyan_program_evaluate; combine with |. */
enum {
  /* Record every rule, value and parameter in Decision.trace. */
  HEYAN_EVAL_TRACE = 1u << 0,
  /* Skip titles, citations, messages and rendered values of reasons (screening runs that
   * need only outcomes, rule ids and amounts in fen). */
  HEYAN_EVAL_NO_EXPLAIN = 1u << 1
};

/* Decides one application.
 *  - application[0..application_size): a serialized heyan.v1.Application.
 *  - registries: may be NULL (no registry loaded: every registry "not checked").
 *  - as_of: evaluation date "YYYY-MM-DD", or NULL/"" for the application's as_of, else its
 *    application_date.
 *  - flags: HEYAN_EVAL_* values, or 0.
 *  - decision: receives the serialized heyan.v1.Decision. If *decision is NULL a new
 *    heyan_bytes is allocated; otherwise *decision must be a heyan_bytes from an earlier call
 *    and is overwritten, reusing its memory (a loop can keep one per thread).
 * Everything about the application (reasons, missing evidence, per-rule faults) is in the
 * Decision; the call fails only when it cannot run. Errors: ARGUMENT (NULL program or
 * decision, bad as_of), DATA (the bytes are not a heyan.v1.Application).
 * Thread-safe; see above. */
HEYAN_C_API heyan_status heyan_program_evaluate(const heyan_program* program,
                                                const heyan_registries* registries,
                                                const void* application, size_t application_size,
                                                const char* as_of, unsigned flags,
                                                heyan_bytes** decision, heyan_error** error);

/* Decides one household with its own verification results: request[0..request_size) is a
 * serialized heyan.v1.VerificationRequest (application + records + as_of; see
 * proto/heyan/v1/verification.proto). For each registry and person a check in the request
 * wins over `registries` (which may be NULL); a person no check covers is "not checked".
 * as_of, flags and decision as for heyan_program_evaluate. Errors: ARGUMENT (NULL program or
 * decision, bad as_of, inconsistent records: a check without date or reference, a record no
 * check covers; the message names the field), DATA (the bytes are not a request, or hold a
 * negative amount, an undeclared enum number or a malformed date). */
HEYAN_C_API heyan_status heyan_program_evaluate_request(const heyan_program* program,
                                                        const heyan_registries* registries,
                                                        const void* request, size_t request_size,
                                                        const char* as_of, unsigned flags,
                                                        heyan_bytes** decision, heyan_error** error);

/* ---- text in, text out (JSON, Chinese field names, letters) ------------------------------ */

/* Decides one household given as text, as people and systems write it: protobuf JSON or text
 * format, English or Chinese field names, money and areas with units ("800元", "1.5亩"); an
 * Application, a VerificationRequest (申请 + 核对结果) or a heyan test case
 * (docs/testing-zh.md). `decision_json` receives the heyan.v1.Decision as protobuf JSON (proto
 * field names, UTF-8). as_of, flags and reuse of *decision_json as for heyan_program_evaluate.
 * Errors: ARGUMENT (NULL arguments, bad as_of, inconsistent records), DATA (the text is not a
 * household; the message names the line or the field, e.g. "成员[1].收入[1].金额: …"). */
HEYAN_C_API heyan_status heyan_program_evaluate_json(const heyan_program* program,
                                                     const heyan_registries* registries,
                                                     const char* household, size_t household_size,
                                                     const char* as_of, unsigned flags,
                                                     heyan_bytes** decision_json, heyan_error** error);

typedef enum heyan_audience {
  HEYAN_AUDIENCE_STAFF = 0,     /* 入户核查/审核说明: everything */
  HEYAN_AUDIENCE_APPLICANT = 1  /* 审核结果告知书: hides other persons' data */
} heyan_audience;

typedef enum heyan_explain_format {
  HEYAN_EXPLAIN_TEXT = 0,
  HEYAN_EXPLAIN_JSON = 1,  /* schema "heyan.explanation/v1" */
  HEYAN_EXPLAIN_HTML = 2   /* a self-contained printable page */
} heyan_explain_format;

/* Decides one household given as text (as for heyan_program_evaluate_json) and explains the
 * decision, as `heyan explain` does (docs/explain-zh.md): `explanation` receives UTF-8 text,
 * JSON or HTML. english: nonzero for English words. addressee: for applicant letters, the ID
 * number of the member addressed (NULL or "": the applicant). Errors as for
 * heyan_program_evaluate_json, and ARGUMENT for an unknown audience, format or addressee. */
HEYAN_C_API heyan_status heyan_explain(const heyan_program* program, const heyan_registries* registries,
                                       const char* household, size_t household_size, const char* as_of,
                                       heyan_audience audience, heyan_explain_format format, int english,
                                       const char* addressee, heyan_bytes** explanation, heyan_error** error);

/* The engine version, e.g. "heyan 0.2.0" (part of every rules fingerprint). */
HEYAN_C_API const char* heyan_version(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* HEYAN_HEYAN_C_H_ */
