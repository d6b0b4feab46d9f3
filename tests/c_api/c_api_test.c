/* c_api_test: exercises the C ABI (include/heyan/heyan_c.h) from plain C, linked against the
 * shared library, as a county system written in C would use it.
 *
 * The rule set is compiled from in-memory strings (an entry file that imports a second one),
 * applications are encoded by hand in protobuf binary (a few lines of varint code, so the test
 * needs no protobuf library), and decisions are checked by walking their top-level fields.
 * Error paths: rule errors with diagnostics, malformed application bytes, bad arguments,
 * unknown registries, missing and malformed registry files. Every object is freed; run it
 * under valgrind (ctest -R c_api_test_valgrind) to check that nothing leaks.
 *
 * Exit status 0 when every check passes; each failure prints file:line and the expression. */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heyan/heyan_c.h"

static int failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

/* Checks a status, printing the error message when it differs. */
#define CHECK_STATUS(expr, expected, err)                                           \
  do {                                                                              \
    heyan_status s_ = (expr);                                                       \
    if (s_ != (expected)) {                                                         \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__, \
              #expr, heyan_status_name(s_), heyan_status_name(expected),            \
              (err) != NULL ? heyan_error_message(err) : "");                      \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

/* ---- a minimal protobuf writer ----------------------------------------------------------- */

typedef struct {
  uint8_t data[1024];
  size_t size;
} buffer;

static void put_byte(buffer* b, uint8_t v) {
  if (b->size < sizeof b->data) b->data[b->size++] = v;
}

static void put_varint(buffer* b, uint64_t v) {
  while (v >= 0x80) {
    put_byte(b, (uint8_t)(v | 0x80));
    v >>= 7;
  }
  put_byte(b, (uint8_t)v);
}

/* Wire types: 0 varint, 2 length-delimited. */
static void put_tag(buffer* b, int field, int wire_type) {
  put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

static void put_uint(buffer* b, int field, uint64_t v) {
  put_tag(b, field, 0);
  put_varint(b, v);
}

static void put_bytes(buffer* b, int field, const void* data, size_t size) {
  put_tag(b, field, 2);
  put_varint(b, size);
  for (size_t i = 0; i < size; ++i) put_byte(b, ((const uint8_t*)data)[i]);
}

static void put_string(buffer* b, int field, const char* s) { put_bytes(b, field, s, strlen(s)); }

static void put_message(buffer* b, int field, const buffer* m) {
  put_bytes(b, field, m->data, m->size);
}

/* heyan.v1.Application with one member earning `monthly_income_fen` a month in wages
 * (field numbers from proto/heyan/v1/application.proto). */
static buffer make_application(const char* id, const char* id_number, int64_t monthly_income_fen) {
  buffer income = {{0}, 0};
  put_uint(&income, 1, 1);                              /* Income.kind = WAGES */
  put_uint(&income, 2, 1);                              /* Income.source = SALARY */
  put_uint(&income, 3, (uint64_t)monthly_income_fen);   /* Income.amount_fen */
  /* Income.period = MONTHLY is 0, the default: not written. */
  buffer member = {{0}, 0};
  put_string(&member, 1, id_number);                    /* Member.id_number */
  put_uint(&member, 5, 1);                              /* Member.relation = SELF */
  put_message(&member, 14, &income);                    /* Member.incomes */
  buffer app = {{0}, 0};
  put_string(&app, 1, id);                              /* Application.id */
  put_string(&app, 7, "2024-06-30");                    /* Application.application_date */
  put_message(&app, 10, &member);                       /* Application.members */
  return app;
}

/* ---- a minimal protobuf reader --------------------------------------------------------- */

static int get_varint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t byte = *(*p)++;
    *v |= (uint64_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return 1;
  }
  return 0;
}

/* The parts of a heyan.v1.Decision this test looks at (proto/heyan/v1/decision.proto). */
typedef struct {
  char application_id[64];
  int outcome;             /* 1 ELIGIBLE, 2 INELIGIBLE, 3 NEEDS_REVIEW, 4 MISSING_EVIDENCE */
  char rule_ids[256];      /* reasons' rule ids, ";"-joined */
  int64_t counted_income_fen;
  int64_t benefit_fen;
  char fingerprint[80];
  int valid;               /* 1 when the bytes parsed */
} decision_view;

static void copy_text(char* out, size_t capacity, const uint8_t* data, uint64_t size) {
  size_t n = size < capacity - 1 ? (size_t)size : capacity - 1;
  memcpy(out, data, n);
  out[n] = '\0';
}

/* Rule id (field 1) of one Reason message. */
static void append_rule_id(decision_view* d, const uint8_t* p, const uint8_t* end) {
  while (p < end) {
    uint64_t key, len;
    if (!get_varint(&p, end, &key)) return;
    if ((key & 7) == 0) {
      uint64_t ignored;
      if (!get_varint(&p, end, &ignored)) return;
      continue;
    }
    if ((key & 7) != 2 || !get_varint(&p, end, &len) || len > (uint64_t)(end - p)) return;
    if ((key >> 3) == 1) {
      char id[64];
      copy_text(id, sizeof id, p, len);
      if (d->rule_ids[0] != '\0') strncat(d->rule_ids, ";", sizeof d->rule_ids - strlen(d->rule_ids) - 1);
      strncat(d->rule_ids, id, sizeof d->rule_ids - strlen(d->rule_ids) - 1);
      return;
    }
    p += len;
  }
}

static decision_view read_decision(const heyan_bytes* bytes) {
  decision_view d;
  memset(&d, 0, sizeof d);
  const uint8_t* p = heyan_bytes_data(bytes);
  const uint8_t* end = p + heyan_bytes_size(bytes);
  while (p < end) {
    uint64_t key, v;
    if (!get_varint(&p, end, &key)) return d;
    const int field = (int)(key >> 3);
    switch (key & 7) {
      case 0:
        if (!get_varint(&p, end, &v)) return d;
        if (field == 2) d.outcome = (int)v;
        if (field == 4) d.counted_income_fen = (int64_t)v;
        if (field == 6) d.benefit_fen = (int64_t)v;
        break;
      case 2:
        if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return d;
        if (field == 1) copy_text(d.application_id, sizeof d.application_id, p, v);
        if (field == 3) append_rule_id(&d, p, p + v);
        if (field == 13) copy_text(d.fingerprint, sizeof d.fingerprint, p, v);
        p += v;
        break;
      default:
        return d; /* Decision has no fixed-width fields */
    }
  }
  d.valid = 1;
  return d;
}

/* ---- the rule set ------------------------------------------------------------------------- */

static const char kParamsFile[] =
    "规则集 测试参数 版本 \"1\" 依据 \"c_api_test 办法\"\n"
    "参数 月低保标准: 金额 = 450元 依据 \"c_api_test 办法\"\n";

static const char kMainFile[] =
    "规则集 C接口测试 版本 \"2024.1\" 依据 \"c_api_test 办法\"\n"
    "导入 \"params.heyan\"\n"
    "计算 人数: 整数 = 计数(成员) 依据 \"c_api_test 办法\"\n"
    "输出 家庭月收入 = 合计(成员.收入: 金额) 记为 counted_income 依据 \"c_api_test 办法\"\n"
    "输出 人均月收入 = 向下取整到分(家庭月收入 / 人数) 记为 per_capita_income 依据 \"c_api_test 办法\"\n"
    "输出 保障金 = 如果 符合条件 则 (月低保标准 - 人均月收入) × 人数 否则 0元 记为 benefit 依据 \"c_api_test 办法\"\n"
    "规则 INCOME \"家庭人均收入不低于低保标准\" 依据 \"c_api_test 办法\"\n"
    "  当 人均月收入 >= 月低保标准\n"
    "  则 不符合\n"
    "规则 SALARIED_STAFF \"家庭成员中有财政供养人员\" 依据 \"c_api_test 办法\"\n"
    "  当 任一 成员 满足 身份证号 属于 登记册.财政供养人员\n"
    "  则 不符合\n";

/* Line 3 names an unknown value (未定义的值) at column 22: diagnostic E0201. */
static const char kBadFile[] =
    "规则集 坏规则 版本 \"1\" 依据 \"c_api_test 办法\"\n"
    "参数 月低保标准: 金额 = 450元 依据 \"c_api_test 办法\"\n"
    "计算 人数: 整数 = 计数(成员) + 未定义的值 依据 \"c_api_test 办法\"\n";

static heyan_program* compile_main(const heyan_string_pair* overrides, size_t override_count) {
  const heyan_string_pair sources[] = {{"main.heyan", kMainFile}, {"params.heyan", kParamsFile}};
  heyan_program* program = NULL;
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_compile("main.heyan", sources, 2, overrides, override_count, 0, &program, &err),
               HEYAN_OK, err);
  heyan_error_free(err);
  return program;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_compile_and_evaluate(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  CHECK(strcmp(heyan_program_name(program), "C接口测试") == 0);
  CHECK(strcmp(heyan_program_version(program), "2024.1") == 0);
  CHECK(strlen(heyan_program_fingerprint(program)) == 64);
  CHECK(heyan_program_warning(program, heyan_program_warning_count(program)) == NULL);

  heyan_registries* registries = heyan_registries_new();
  CHECK(registries != NULL);
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_registries_add_id(registries, "财政供养人员", "110101198001010015", &err),
               HEYAN_OK, err);
  CHECK(heyan_registries_size(registries, "public_payroll_staff") == 1);
  CHECK_STATUS(heyan_registries_mark_checked(registries, "财政供养人员", "2024-06-30", "财政局 2024-06", NULL, &err),
               HEYAN_OK, err);

  /* Eligible: 300 yuan a month for one person, below the 450 yuan standard. */
  buffer app = make_application("C-001", "110101199001011237", 30000);
  heyan_bytes* decision = NULL;
  CHECK_STATUS(heyan_program_evaluate(program, registries, app.data, app.size, NULL, 0, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.valid);
    CHECK(strcmp(d.application_id, "C-001") == 0);
    CHECK(d.outcome == 1);
    CHECK(d.rule_ids[0] == '\0');
    CHECK(d.counted_income_fen == 30000);
    CHECK(d.benefit_fen == 15000);
    CHECK(strcmp(d.fingerprint, heyan_program_fingerprint(program)) == 0);
  }

  /* The same buffer reused: income above the standard -> INCOME. */
  app = make_application("C-002", "110101199001011237", 50000);
  CHECK_STATUS(heyan_program_evaluate(program, registries, app.data, app.size, "2024-07-01",
                                      HEYAN_EVAL_NO_EXPLAIN, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.valid);
    CHECK(strcmp(d.application_id, "C-002") == 0);
    CHECK(d.outcome == 2);
    CHECK(strcmp(d.rule_ids, "INCOME") == 0);
    CHECK(d.benefit_fen == 0);
  }

  /* A member on the public payroll -> SALARIED_STAFF; without registries the payroll was not
   * checked -> missing evidence (4), never eligible. */
  app = make_application("C-003", "110101198001010015", 10000);
  CHECK_STATUS(heyan_program_evaluate(program, registries, app.data, app.size, NULL, 0, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.outcome == 2);
    CHECK(strcmp(d.rule_ids, "SALARIED_STAFF") == 0);
  }
  CHECK_STATUS(heyan_program_evaluate(program, NULL, app.data, app.size, NULL, HEYAN_EVAL_TRACE,
                                      &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) CHECK(read_decision(decision).outcome == 4);

  heyan_bytes_free(decision);
  heyan_registries_free(registries);
  heyan_program_free(program);
}

/* A heyan.v1.VerificationRequest: the application (field 1) and one payroll check (records
 * field 2 -> checks field 1: registry 1, checked_on 3, reference 4), with the person's record
 * (records.records field 2 -> public_payroll_staff field 1 -> id_number 1) when `on_payroll`. */
static buffer make_request(const buffer* app, const char* id_number, int on_payroll, const char* reference) {
  buffer check = {0}, records = {0}, registries = {0}, staff = {0}, request = {0};
  put_string(&check, 1, "财政供养人员");
  put_string(&check, 3, "2024-06-30");
  put_string(&check, 4, reference);
  put_message(&records, 1, &check);
  if (on_payroll) {
    put_string(&staff, 1, id_number);
    put_message(&registries, 1, &staff);
    put_message(&records, 2, &registries);
  }
  put_message(&request, 1, app);
  put_message(&request, 2, &records);
  put_string(&request, 4, "REQ-1");
  return request;
}

static void test_evaluate_request(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  heyan_error* err = NULL;
  heyan_bytes* decision = NULL;
  buffer app = make_application("C-REQ", "110101198001010015", 10000);
  buffer request = make_request(&app, "110101198001010015", 1, "HD-0630-01");
  CHECK_STATUS(heyan_program_evaluate_request(program, NULL, request.data, request.size, NULL, 0, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.valid);
    CHECK(d.outcome == 2);
    CHECK(strcmp(d.rule_ids, "SALARIED_STAFF") == 0);
  }
  request = make_request(&app, "110101198001010015", 0, "HD-0630-02");
  CHECK_STATUS(heyan_program_evaluate_request(program, NULL, request.data, request.size, NULL, 0, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) CHECK(read_decision(decision).outcome == 1);
  /* A check without a reference cannot be cited: the request is refused, naming the field. */
  request = make_request(&app, "110101198001010015", 0, "");
  CHECK_STATUS(heyan_program_evaluate_request(program, NULL, request.data, request.size, NULL, 0, &decision, &err),
               HEYAN_ERROR_ARGUMENT, err);
  CHECK(err != NULL);
  if (err != NULL) {
    CHECK(strstr(heyan_error_message(err), "records.checks[0].reference") != NULL);
    heyan_error_free(err);
  }
  heyan_bytes_free(decision);
  heyan_program_free(program);
}

/* Text in, text out: a household written in Chinese JSON with units, decided as JSON and
 * explained as an applicant letter (HTML) and a staff report (text). */
static const char kChineseHousehold[] =
    "{\"编号\": \"C-TXT\", \"成员\": [{\"身份证号\": \"110101199001011237\", \"姓名\": \"王五\","
    " \"与申请人关系\": \"本人\", \"收入\": [{\"类别\": \"工资性收入\", \"金额\": \"300元\", \"周期\": \"每月\"}]}]}";

static void test_text_in_text_out(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  heyan_registries* registries = heyan_registries_new();
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_registries_mark_checked(registries, "财政供养人员", "2024-06-30", "财政局 2024-06", NULL, &err),
               HEYAN_OK, err);
  heyan_bytes* out = NULL;
  CHECK_STATUS(heyan_program_evaluate_json(program, registries, kChineseHousehold, strlen(kChineseHousehold),
                                           "2024-07-01", 0, &out, &err),
               HEYAN_OK, err);
  if (out != NULL) {
    char* json = (char*)malloc(heyan_bytes_size(out) + 1);
    memcpy(json, heyan_bytes_data(out), heyan_bytes_size(out));
    json[heyan_bytes_size(out)] = '\0';
    CHECK(strstr(json, "\"application_id\":\"C-TXT\"") != NULL);
    CHECK(strstr(json, "\"outcome\":\"ELIGIBLE\"") != NULL);
    CHECK(strstr(json, "\"benefit\"") != NULL);
    free(json);
  }
  CHECK_STATUS(heyan_explain(program, registries, kChineseHousehold, strlen(kChineseHousehold), "2024-07-01",
                             HEYAN_AUDIENCE_APPLICANT, HEYAN_EXPLAIN_HTML, 0, NULL, &out, &err),
               HEYAN_OK, err);
  if (out != NULL) {
    char* html = (char*)malloc(heyan_bytes_size(out) + 1);
    memcpy(html, heyan_bytes_data(out), heyan_bytes_size(out));
    html[heyan_bytes_size(out)] = '\0';
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(html, "C-TXT") != NULL);
    free(html);
  }
  CHECK_STATUS(heyan_explain(program, registries, kChineseHousehold, strlen(kChineseHousehold), "2024-07-01",
                             HEYAN_AUDIENCE_STAFF, HEYAN_EXPLAIN_TEXT, 0, NULL, &out, &err),
               HEYAN_OK, err);
  if (out != NULL) {
    CHECK(heyan_bytes_size(out) > 0);
  }
  /* A field that is not an amount names the field; an unknown format is refused. */
  static const char kBad[] = "{\"编号\": \"C-BAD\", \"成员\": [{\"身份证号\": \"110101199001011237\","
                             " \"收入\": [{\"类别\": \"工资性收入\", \"金额\": \"三百\"}]}]}";
  CHECK_STATUS(heyan_program_evaluate_json(program, registries, kBad, strlen(kBad), NULL, 0, &out, &err),
               HEYAN_ERROR_DATA, err);
  if (err != NULL) {
    CHECK(strstr(heyan_error_message(err), "金额") != NULL);
    heyan_error_free(err);
    err = NULL;
  }
  CHECK_STATUS(heyan_explain(program, registries, kChineseHousehold, strlen(kChineseHousehold), NULL,
                             HEYAN_AUDIENCE_STAFF, (heyan_explain_format)7, 0, NULL, &out, &err),
               HEYAN_ERROR_ARGUMENT, err);
  heyan_error_free(err);
  heyan_bytes_free(out);
  heyan_registries_free(registries);
  heyan_program_free(program);
}

static void test_parameter_override(void) {
  const heyan_string_pair overrides[] = {{"月低保标准", "250元"}};
  heyan_program* program = compile_main(overrides, 1);
  heyan_program* plain = compile_main(NULL, 0);
  if (program == NULL || plain == NULL) {
    heyan_program_free(program);
    heyan_program_free(plain);
    return;
  }
  CHECK(strcmp(heyan_program_fingerprint(program), heyan_program_fingerprint(plain)) != 0);
  buffer app = make_application("C-004", "110101199001011237", 30000);
  heyan_bytes* decision = NULL;
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_program_evaluate(program, NULL, app.data, app.size, NULL, 0, &decision, &err),
               HEYAN_OK, err);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.outcome == 2);
    CHECK(strcmp(d.rule_ids, "INCOME") == 0);
  }
  heyan_bytes_free(decision);
  heyan_program_free(program);
  heyan_program_free(plain);
}

static void test_rule_errors(void) {
  const heyan_string_pair sources[] = {{"bad.heyan", kBadFile}};
  heyan_program* program = NULL;
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_compile("bad.heyan", sources, 1, NULL, 0, 0, &program, &err), HEYAN_ERROR_RULES, err);
  CHECK(program == NULL);
  CHECK(heyan_error_status(err) == HEYAN_ERROR_RULES);
  CHECK(heyan_error_diagnostic_count(err) >= 1);
  const heyan_diagnostic* d = heyan_error_diagnostic(err, 0);
  CHECK(d != NULL);
  if (d != NULL) {
    CHECK(d->is_error == 1);
    CHECK(strcmp(d->code, "E0201") == 0);
    CHECK(strcmp(d->file, "bad.heyan") == 0);
    CHECK(d->line == 3);
    CHECK(d->column == 22);
    CHECK(strstr(d->message_zh, "未定义的值") != NULL);
    CHECK(d->message_en[0] != '\0');
  }
  CHECK(heyan_error_diagnostic(err, heyan_error_diagnostic_count(err)) == NULL);
  CHECK(strstr(heyan_error_message(err), "E0201") != NULL);
  heyan_error_free(err);

  /* A missing rule file is a diagnostic too (the author can fix it). */
  err = NULL;
  CHECK_STATUS(heyan_compile_file("/nonexistent/rules.heyan", &program, &err), HEYAN_ERROR_RULES, err);
  CHECK(heyan_error_diagnostic_count(err) >= 1);
  heyan_error_free(err);

  /* Without an error object the status alone comes back. */
  CHECK_STATUS(heyan_compile("bad.heyan", sources, 1, NULL, 0, 0, &program, NULL), HEYAN_ERROR_RULES, NULL);
}

static void test_evaluate_errors(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  heyan_bytes* decision = NULL;
  heyan_error* err = NULL;

  const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff};
  CHECK_STATUS(heyan_program_evaluate(program, NULL, garbage, sizeof garbage, NULL, 0, &decision, &err),
               HEYAN_ERROR_DATA, err);
  CHECK(decision == NULL);
  CHECK(heyan_error_status(err) == HEYAN_ERROR_DATA);
  CHECK(strstr(heyan_error_message(err), "heyan.v1.Application") != NULL);
  heyan_error_free(err);

  buffer app = make_application("C-005", "110101199001011237", 30000);
  err = NULL;
  CHECK_STATUS(heyan_program_evaluate(program, NULL, app.data, app.size, "2024-13-45", 0, &decision, &err),
               HEYAN_ERROR_ARGUMENT, err);
  CHECK(decision == NULL);
  heyan_error_free(err);

  err = NULL;
  CHECK_STATUS(heyan_program_evaluate(NULL, NULL, app.data, app.size, NULL, 0, &decision, &err),
               HEYAN_ERROR_ARGUMENT, err);
  heyan_error_free(err);
  CHECK_STATUS(heyan_program_evaluate(program, NULL, app.data, app.size, NULL, 0, NULL, NULL),
               HEYAN_ERROR_ARGUMENT, NULL);
  CHECK_STATUS(heyan_program_evaluate(program, NULL, NULL, 5, NULL, 0, &decision, NULL),
               HEYAN_ERROR_ARGUMENT, NULL);
  /* Empty bytes are a valid (empty) Application: it is decided, not rejected, and cannot be
   * eligible (no members: the per-capita division faults). */
  CHECK_STATUS(heyan_program_evaluate(program, NULL, NULL, 0, NULL, 0, &decision, NULL), HEYAN_OK, NULL);
  if (decision != NULL) {
    decision_view d = read_decision(decision);
    CHECK(d.valid);
    CHECK(d.outcome >= 2);
  }
  heyan_bytes_free(decision);
  heyan_program_free(program);
}

/* heyan_c.h promises that no function prints. protobuf logs to stderr when it parses a
 * string field that is not UTF-8; every such input goes through here with stderr captured,
 * and the capture must stay empty. */
static void test_nothing_is_printed(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  char capture[] = "/tmp/heyan_c_api_stderr_XXXXXX";
  int capture_fd = mkstemp(capture);
  CHECK(capture_fd >= 0);
  if (capture_fd < 0) return;
  fflush(stderr);
  int saved = dup(2);
  dup2(capture_fd, 2);

  heyan_error* err = NULL;
  heyan_bytes* decision = NULL;
  /* Application.id (a proto3 string) with bytes that are not UTF-8. */
  buffer app = make_application("\xff\xfe-not-utf8", "110101199001011237", 100);
  heyan_status s1 = heyan_program_evaluate(program, NULL, app.data, app.size, NULL, 0, &decision, &err);
  heyan_error_free(err);
  err = NULL;
  /* A PayrollStaffRecord whose name is not UTF-8. */
  buffer record = {{0}, 0};
  put_string(&record, 1, "110101198001010015");
  put_string(&record, 2, "\xc3(");
  heyan_registries* registries = heyan_registries_new();
  heyan_status s2 = heyan_registries_add_record(registries, "public_payroll_staff", record.data, record.size, &err);
  heyan_error_free(err);
  err = NULL;
  /* The same record in a length-delimited binary registry file. */
  char path[] = "/tmp/heyan_c_api_test_XXXXXX";
  heyan_status s3 = HEYAN_OK;
  int fd = mkstemp(path);
  if (fd >= 0) {
    uint8_t prefix = (uint8_t)record.size;
    ssize_t written = write(fd, &prefix, 1) + write(fd, record.data, record.size);
    (void)written;
    close(fd);
    s3 = heyan_registries_load(registries, "public_payroll_staff", path, HEYAN_FORMAT_BINARY, &err);
    heyan_error_free(err);
    err = NULL;
    unlink(path);
  }

  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  struct stat st;
  CHECK(fstat(capture_fd, &st) == 0);
  if (st.st_size > 0) {
    char text[512] = {0};
    ssize_t n = pread(capture_fd, text, sizeof text - 1, 0);
    fprintf(stderr, "c_api_test: the library printed %lld bytes: %.*s\n", (long long)st.st_size,
            (int)(n > 0 ? n : 0), text);
  }
  CHECK(st.st_size == 0);
  close(capture_fd);
  unlink(capture);
  CHECK(s1 == HEYAN_ERROR_DATA);
  CHECK(s2 == HEYAN_ERROR_DATA);
  CHECK(s3 == HEYAN_ERROR_DATA);
  CHECK(heyan_registries_size(registries, "public_payroll_staff") == 0);
  heyan_registries_free(registries);
  heyan_bytes_free(decision);
  heyan_program_free(program);
}

/* Values the data model does not allow are data errors: a negative amount. */
static void test_application_values_are_checked(void) {
  heyan_program* program = compile_main(NULL, 0);
  if (program == NULL) return;
  heyan_error* err = NULL;
  heyan_bytes* decision = NULL;
  buffer app = make_application("C-NEG", "110101199001011237", -100);
  CHECK_STATUS(heyan_program_evaluate(program, NULL, app.data, app.size, NULL, 0, &decision, &err),
               HEYAN_ERROR_DATA, err);
  CHECK(decision == NULL);
  if (err != NULL) CHECK(strstr(heyan_error_message(err), "members[0].incomes[0].amount_fen") != NULL);
  heyan_error_free(err);
  heyan_bytes_free(decision);
  heyan_program_free(program);
}

static void test_registry_errors(void) {
  heyan_registries* registries = heyan_registries_new();
  heyan_error* err = NULL;
  CHECK_STATUS(heyan_registries_add_id(registries, "no_such_registry", "1", &err), HEYAN_ERROR_ARGUMENT, err);
  CHECK(strstr(heyan_error_message(err), "public_payroll_staff") != NULL);
  heyan_error_free(err);
  CHECK(heyan_registries_size(registries, "no_such_registry") == 0);

  err = NULL;
  CHECK_STATUS(heyan_registries_load(registries, "staff_relatives", "/nonexistent/ids.txt",
                                     HEYAN_FORMAT_AUTO, &err),
               HEYAN_ERROR_NOT_FOUND, err);
  heyan_error_free(err);

  err = NULL;
  CHECK_STATUS(heyan_registries_load(registries, "staff_relatives", "/dev/null", (heyan_registry_format)9, &err),
               HEYAN_ERROR_ARGUMENT, err);
  heyan_error_free(err);

  /* A directory is not a registry file: a clear error, not an abort. */
  err = NULL;
  CHECK_STATUS(heyan_registries_load(registries, "staff_relatives", "/tmp", HEYAN_FORMAT_AUTO, &err),
               HEYAN_ERROR_NOT_FOUND, err);
  if (err != NULL) CHECK(strstr(heyan_error_message(err), "/tmp: ") == heyan_error_message(err));
  heyan_error_free(err);

  /* A malformed ID list: two IDs on one line. Nothing of the file is loaded. */
  char path[] = "/tmp/heyan_c_api_test_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    const char text[] = "110101198001010015\n110101198001010023 110101198001010031\n";
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    err = NULL;
    CHECK_STATUS(heyan_registries_load(registries, "近亲属备案", path, HEYAN_FORMAT_ID_LIST, &err),
                 HEYAN_ERROR_DATA, err);
    CHECK(strstr(heyan_error_message(err), ":2:") != NULL);
    heyan_error_free(err);
    CHECK(heyan_registries_size(registries, "staff_relatives") == 0);
    unlink(path);
  }

  /* A hand-encoded PayrollStaffRecord {id_number, name}; then garbage. */
  buffer record = {{0}, 0};
  put_string(&record, 1, "110101198001010015");
  put_string(&record, 2, "张三");
  CHECK_STATUS(heyan_registries_add_record(registries, "public_payroll_staff", record.data, record.size, &err),
               HEYAN_OK, err);
  CHECK(heyan_registries_size(registries, "财政供养人员") == 1);
  const uint8_t garbage[] = {0xff, 0xff, 0xff};
  err = NULL;
  CHECK_STATUS(heyan_registries_add_record(registries, "public_payroll_staff", garbage, sizeof garbage, &err),
               HEYAN_ERROR_DATA, err);
  heyan_error_free(err);
  heyan_registries_free(registries);

  /* Freeing NULL is a no-op everywhere. */
  heyan_registries_free(NULL);
  heyan_program_free(NULL);
  heyan_bytes_free(NULL);
  heyan_error_free(NULL);
}

/* ---- threads: one program, one registries, many evaluating threads ------------------------ */

enum { kThreads = 4, kRounds = 200 };

typedef struct {
  const heyan_program* program;
  const heyan_registries* registries;
  int ok;
} thread_arg;

static void* evaluate_in_thread(void* p) {
  thread_arg* arg = (thread_arg*)p;
  heyan_bytes* decision = NULL;
  arg->ok = 1;
  for (int i = 0; i < kRounds && arg->ok; ++i) {
    /* Alternate eligible, INCOME and SALARIED_STAFF households. */
    const int kind = i % 3;
    buffer app = make_application("T", kind == 2 ? "110101198001010015" : "110101199001011237",
                                  kind == 1 ? 50000 : 30000);
    if (heyan_program_evaluate(arg->program, arg->registries, app.data, app.size, NULL, 0, &decision,
                               NULL) != HEYAN_OK) {
      arg->ok = 0;
      break;
    }
    decision_view d = read_decision(decision);
    const char* expected = kind == 0 ? "" : kind == 1 ? "INCOME" : "SALARIED_STAFF";
    arg->ok = d.valid && d.outcome == (kind == 0 ? 1 : 2) && strcmp(d.rule_ids, expected) == 0;
  }
  heyan_bytes_free(decision);
  return NULL;
}

static void test_threads(void) {
  heyan_program* program = compile_main(NULL, 0);
  heyan_registries* registries = heyan_registries_new();
  if (program == NULL || registries == NULL) {
    heyan_program_free(program);
    heyan_registries_free(registries);
    return;
  }
  CHECK_STATUS(heyan_registries_add_id(registries, "public_payroll_staff", "110101198001010015", NULL),
               HEYAN_OK, NULL);
  CHECK_STATUS(heyan_registries_mark_checked(registries, "public_payroll_staff", "2024-06-30", "名册", NULL, NULL),
               HEYAN_OK, NULL);
  pthread_t threads[kThreads];
  thread_arg args[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    args[t].program = program;
    args[t].registries = registries;
    args[t].ok = 0;
    CHECK(pthread_create(&threads[t], NULL, evaluate_in_thread, &args[t]) == 0);
  }
  for (int t = 0; t < kThreads; ++t) {
    pthread_join(threads[t], NULL);
    CHECK(args[t].ok);
  }
  heyan_registries_free(registries);
  heyan_program_free(program);
}

int main(void) {
  CHECK(strncmp(heyan_version(), "heyan ", 6) == 0);
  CHECK(strcmp(heyan_status_name(HEYAN_ERROR_RULES), "HEYAN_ERROR_RULES") == 0);
  test_compile_and_evaluate();
  test_evaluate_request();
  test_text_in_text_out();
  test_parameter_override();
  test_rule_errors();
  test_evaluate_errors();
  test_registry_errors();
  test_nothing_is_printed();
  test_application_values_are_checked();
  test_threads();
  if (failures != 0) {
    fprintf(stderr, "c_api_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
