// BatchEvaluator (heyan/batch.h): results in input order whatever the threads and the cost
// of each record, a bounded read-ahead, per-record errors in place, progress totals, a sink
// error that stops the run. No assertion depends on timing.
#include "heyan/batch.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "heyan/compiler.h"
#include "heyan/program.h"
#include "heyan/registry.h"

namespace heyan {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<const Program> TestProgram() {
  CompileOptions options;
  options.sources["main.heyan"] =
      "规则集 测试 版本 \"1\"\n"
      "输出 人数: 整数 = 计数(成员)\n"
      "规则 R1 \"三人以上\" 当 计数(成员) >= 3 则 不符合\n"
      "规则 R2 \"有收入\" 每个 人 在 成员 当 计数(人.收入) > 0 则 标记\n";
  absl::StatusOr<CompileResult> r = CompileFile("main.heyan", options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok() || !r->ok()) return nullptr;
  return r->program;
}

// Application `i` as one JSON line: id "A<i>", i % 4 members, and every 37th one with 3,000
// members, so some records cost a thousand times more than their neighbours.
std::string Application(int i) {
  const int members = i % 37 == 5 ? 3000 : i % 4;
  std::string json = absl::StrCat("{\"id\":\"A", i, "\",\"applicationDate\":\"2024-03-01\",\"members\":[");
  for (int k = 0; k < members; ++k) {
    absl::StrAppend(&json, k == 0 ? "" : ",", "{\"name\":\"m", k, "\"",
                    k % 2 == 0 ? ",\"incomes\":[{\"amountFen\":\"100\"}]" : "", "}");
  }
  return json + "]}";
}

std::vector<std::string> Applications(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Application(i));
  return out;
}

// A source over `lines` that counts what it handed out.
struct VectorSource {
  const std::vector<std::string>* lines;
  size_t next = 0;
  absl::StatusOr<bool> operator()(InputRecord* record) {
    if (next == lines->size()) return false;
    record->data = (*lines)[next++];
    record->input_bytes = record->data.size() + 1;
    return true;
  }
};

// Runs `lines` and returns each record's output (or "error N: field: message") in the order
// the sink saw them.
std::vector<std::string> RunAll(const std::vector<std::string>& lines, BatchOptions options,
                                BatchCounts* counts = nullptr) {
  std::shared_ptr<const Program> program = TestProgram();
  absl::StatusOr<std::unique_ptr<const BatchEvaluator>> evaluator =
      BatchEvaluator::Create(program, nullptr, options);
  EXPECT_TRUE(evaluator.ok()) << evaluator.status();
  if (!evaluator.ok()) return {};
  std::vector<std::string> out;
  VectorSource source{&lines};
  absl::StatusOr<BatchCounts> result = (*evaluator)->Run(
      [&](InputRecord* r) { return source(r); },
      [&](std::span<const RecordResult> results) {
        for (const RecordResult& r : results) {
          out.push_back(r.ok() ? std::string(r.output)
                               : absl::StrCat("error ", r.error->number, ": ", r.error->field, ": ", r.error->message));
        }
        return absl::OkStatus();
      });
  EXPECT_TRUE(result.ok()) << result.status();
  if (counts != nullptr && result.ok()) *counts = *result;
  return out;
}

BatchOptions JsonLines(int threads, size_t batch_size) {
  BatchOptions options;
  options.decisions = DecisionFormat::kJsonLine;
  options.threads = threads;
  options.batch_size = batch_size;
  return options;
}

TEST(BatchEvaluatorTest, ResultsComeInInputOrderWithManyThreadsAndUnevenRecords) {
  const std::vector<std::string> lines = Applications(600);
  const std::vector<std::string> serial = RunAll(lines, JsonLines(0, 1000));
  ASSERT_EQ(serial.size(), lines.size());
  for (size_t i = 0; i < serial.size(); ++i) {
    ASSERT_THAT(serial[i], HasSubstr(absl::StrCat("\"application_id\":\"A", i, "\""))) << i;
    ASSERT_EQ(serial[i].back(), '\n');
  }
  // Batches of 1 and 3 records on 8 threads: the expensive records finish last within their
  // neighbourhood, yet every output is in its place and byte for byte the serial one.
  for (size_t batch_size : {size_t{1}, size_t{3}, size_t{64}}) {
    EXPECT_EQ(RunAll(lines, JsonLines(8, batch_size)), serial) << "batch size " << batch_size;
  }
}

TEST(BatchEvaluatorTest, OneWorkerThreadAndTheCallingThreadGiveTheSameResults) {
  const std::vector<std::string> lines = Applications(100);
  const std::vector<std::string> one = RunAll(lines, JsonLines(1, 7));
  EXPECT_EQ(one.size(), lines.size());
  EXPECT_EQ(RunAll(lines, JsonLines(0, 7)), one);
  EXPECT_EQ(RunAll(lines, JsonLines(2, 1000)), one);
}

TEST(BatchEvaluatorTest, ReadsAtMostTheInFlightBoundAheadOfTheSink) {
  // 4 batches of 5 records in flight at most: the source may never be more than 20 records
  // ahead of what the sink has finished with, however slow the sink and however many
  // records there are.
  constexpr int kRecords = 3000;
  constexpr size_t kBatch = 5;
  constexpr size_t kInFlight = 4;
  const std::vector<std::string> lines = Applications(50);
  BatchOptions options = JsonLines(3, kBatch);
  options.max_batches_in_flight = kInFlight;
  auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, options);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  std::atomic<int64_t> pulled{0};
  std::atomic<int64_t> finished{0};  // records of sink calls that have returned
  int64_t most_ahead = 0;  // the source's own variable: it runs on one thread
  absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
      [&](InputRecord* r) -> absl::StatusOr<bool> {
        if (pulled == kRecords) return false;
        const int64_t ahead = ++pulled - finished.load();
        most_ahead = std::max(most_ahead, ahead);
        r->data = lines[pulled % lines.size()];
        return true;
      },
      [&](std::span<const RecordResult> results) {
        // The first call waits for the reader to fill every batch it may: reading goes on
        // while the sink is busy (a run that never read ahead would wait here forever).
        if (finished == 0) {
          while (pulled < static_cast<int64_t>(kInFlight * kBatch)) std::this_thread::yield();
        }
        finished += static_cast<int64_t>(results.size());
        return absl::OkStatus();
      });
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->records, kRecords);
  EXPECT_EQ(finished.load(), kRecords);
  EXPECT_EQ(most_ahead, static_cast<int64_t>(kInFlight * kBatch));
}

TEST(BatchEvaluatorTest, ErrorsKeepTheirPlaceAndNumber) {
  std::vector<InputRecord> records(7);
  records[0].data = R"({"id":"OK1","members":[{"name":"a"}]})";
  records[1].data = R"({"id":"BAD","members":[{"name":"x","birthDate":19800101}]})";  // number 0: position 2
  records[2].data = R"({"id":"OK2",)";
  records[2].number = 17;
  records[3].unreadable = "line longer than 64 MiB";
  records[3].number = 18;
  records[4].data = "\x08\x96\x01 not a message";
  records[4].format = RecordFormat::kBinary;
  records[4].number = 19;
  records[5].data = R"({"id":"ASOF","asOf":"2024-02-30","members":[]})";  // Program::Evaluate refuses it
  records[5].number = 20;
  records[6].data = R"({"id":"OK3","members":[{"name":"b"}]})";
  for (int threads : {0, 3}) {
    BatchOptions options;
    options.threads = threads;
    options.batch_size = 2;
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, options);
    ASSERT_TRUE(evaluator.ok());
    size_t next = 0;
    std::vector<std::string> got;
    absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
        [&](InputRecord* r) -> absl::StatusOr<bool> {
          if (next == records.size()) return false;
          *r = records[next++];
          return true;
        },
        [&](std::span<const RecordResult> results) {
          for (const RecordResult& r : results) {
            if (r.ok()) {
              got.push_back(absl::StrCat(r.number, " ok ", r.application->id(), " ", r.decision->application_id()));
            } else {
              got.push_back(absl::StrCat(r.number, " ", static_cast<int>(r.error->kind), " ", r.error->number, " [",
                                         r.error->field, "] ", r.error->message, " id=", r.error->application_id));
            }
          }
          return absl::OkStatus();
        });
    ASSERT_TRUE(counts.ok()) << counts.status();
    ASSERT_EQ(got.size(), 7u);
    EXPECT_EQ(got[0], "1 ok OK1 OK1");
    EXPECT_THAT(got[1], HasSubstr("2 1 2 [members[0].birth_date] invalid value 19800101"));
    EXPECT_THAT(got[2], HasSubstr("17 1 17 [] "));
    EXPECT_EQ(got[3], "18 0 18 [] line longer than 64 MiB id=");
    EXPECT_EQ(got[4], "19 3 19 [] not a valid heyan.v1.Application message id=");
    EXPECT_THAT(got[5], HasSubstr("20 5 20 [] "));
    EXPECT_THAT(got[5], HasSubstr("id=ASOF"));
    EXPECT_EQ(got[6], "7 ok OK3 OK3");
    EXPECT_EQ(counts->records, 7);
    EXPECT_EQ(counts->errors, 5);
  }
}

TEST(BatchEvaluatorTest, ProgressReportsRunningTotalsAfterEachBatch) {
  const std::vector<std::string> lines = Applications(250);
  BatchOptions options = JsonLines(2, 40);
  auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, options);
  ASSERT_TRUE(evaluator.ok());
  VectorSource source{&lines};
  int64_t sinks = 0, delivered = 0;
  std::vector<int64_t> reported;
  BatchCounts last;
  absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
      [&](InputRecord* r) { return source(r); },
      [&](std::span<const RecordResult> results) {
        ++sinks;
        delivered += static_cast<int64_t>(results.size());
        return absl::OkStatus();
      },
      [&](const BatchCounts& c) {
        EXPECT_EQ(c.records, delivered) << "progress follows the sink call it reports";
        reported.push_back(c.records);
        last = c;
      });
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(sinks, 7);  // 6 × 40 + 10
  EXPECT_EQ(reported, (std::vector<int64_t>{40, 80, 120, 160, 200, 240, 250}));
  EXPECT_EQ(counts->records, 250);
  EXPECT_EQ(counts->errors, 0);
  uint64_t bytes = 0;
  for (const std::string& line : lines) bytes += line.size() + 1;
  EXPECT_EQ(counts->input_bytes, bytes);
  // i % 4 members (3,000 for every 37th from 5): R1 for 3 members or more.
  int64_t ineligible = 0, with_income = 0;
  for (int i = 0; i < 250; ++i) {
    const int members = i % 37 == 5 ? 3000 : i % 4;
    ineligible += members >= 3;
    with_income += members >= 1;
  }
  EXPECT_EQ(counts->outcomes[v1::INELIGIBLE], ineligible);
  EXPECT_EQ(counts->outcomes[v1::INELIGIBLE] + counts->outcomes[v1::ELIGIBLE], 250);
  ASSERT_TRUE(counts->reasons.contains("R1"));
  EXPECT_EQ(counts->reasons.at("R1").decisions, ineligible);
  EXPECT_EQ(counts->reasons.at("R1").title, "三人以上");
  EXPECT_EQ(counts->reasons.at("R2").decisions, with_income) << "counted once per decision";
  EXPECT_EQ(last.records, counts->records);
  EXPECT_EQ(last.reasons.at("R2").decisions, with_income);
}

TEST(BatchEvaluatorTest, ASinkErrorStopsTheRun) {
  // An endless source: only the sink's error ends the run.
  const std::vector<std::string> lines = Applications(10);
  for (int threads : {0, 1, 4}) {
    BatchOptions options = JsonLines(threads, 3);
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, options);
    ASSERT_TRUE(evaluator.ok());
    int64_t pulled = 0;
    int sinks = 0;
    absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
        [&](InputRecord* r) -> absl::StatusOr<bool> {
          r->data = lines[pulled++ % lines.size()];
          return true;
        },
        [&](std::span<const RecordResult> results) {
          ++sinks;
          return sinks == 3 ? absl::DataLossError("disk full") : absl::OkStatus();
        });
    EXPECT_EQ(counts.status(), absl::DataLossError("disk full")) << threads << " threads";
    EXPECT_EQ(sinks, 3) << "no sink call after the failing one";
    // Batches 4 .. (2 * threads + 2) may have been read ahead, no more.
    EXPECT_LE(pulled, static_cast<int64_t>(3 * (2 * threads + 2 + 3))) << threads << " threads";
  }
}

TEST(BatchEvaluatorTest, ASourceErrorEndsTheRunAfterWhatWasRead) {
  const std::vector<std::string> lines = Applications(10);
  for (int threads : {0, 2}) {
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, JsonLines(threads, 4));
    ASSERT_TRUE(evaluator.ok());
    size_t next = 0;
    std::vector<int64_t> numbers;
    absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
        [&](InputRecord* r) -> absl::StatusOr<bool> {
          if (next == 6) return absl::UnavailableError("read error");
          r->data = lines[next++];
          return true;
        },
        [&](std::span<const RecordResult> results) {
          for (const RecordResult& r : results) numbers.push_back(r.number);
          return absl::OkStatus();
        });
    EXPECT_EQ(counts.status(), absl::UnavailableError("read error"));
    EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 3, 4, 5, 6})) << "what was read is still decided and delivered";
  }
}

TEST(BatchEvaluatorTest, NoRecordsNoSinkCall) {
  for (int threads : {0, 1, 3}) {
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, JsonLines(threads, 10));
    ASSERT_TRUE(evaluator.ok());
    int sinks = 0, progress = 0;
    absl::StatusOr<BatchCounts> counts = (*evaluator)->Run(
        [](InputRecord*) -> absl::StatusOr<bool> { return false; },
        [&](std::span<const RecordResult>) {
          ++sinks;
          return absl::OkStatus();
        },
        [&](const BatchCounts&) { ++progress; });
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->records, 0);
    EXPECT_EQ(sinks, 0);
    EXPECT_EQ(progress, 0);
  }
}

TEST(BatchEvaluatorTest, BinaryAndDelimitedOutputsParseBackToTheMessages) {
  const std::vector<std::string> lines = Applications(30);
  BatchOptions messages;
  messages.threads = 2;
  messages.batch_size = 4;
  std::vector<std::string> expected;
  {
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, messages);
    ASSERT_TRUE(evaluator.ok());
    VectorSource source{&lines};
    ASSERT_TRUE((*evaluator)
                    ->Run([&](InputRecord* r) { return source(r); },
                          [&](std::span<const RecordResult> results) {
                            for (const RecordResult& r : results) {
                              EXPECT_EQ(r.application->id(), r.decision->application_id());
                              expected.push_back(r.decision->SerializeAsString());
                            }
                            return absl::OkStatus();
                          })
                    .ok());
  }
  ASSERT_EQ(expected.size(), lines.size());
  for (DecisionFormat format : {DecisionFormat::kBinary, DecisionFormat::kDelimited}) {
    BatchOptions options = messages;
    options.decisions = format;
    auto evaluator = BatchEvaluator::Create(TestProgram(), nullptr, options);
    ASSERT_TRUE(evaluator.ok());
    VectorSource source{&lines};
    std::vector<std::string> got;
    ASSERT_TRUE((*evaluator)
                    ->Run([&](InputRecord* r) { return source(r); },
                          [&](std::span<const RecordResult> results) {
                            // Outputs of one call lie back to back.
                            for (size_t i = 1; i < results.size(); ++i) {
                              EXPECT_EQ(results[i].output.data(),
                                        results[i - 1].output.data() + results[i - 1].output.size());
                            }
                            for (const RecordResult& r : results) {
                              std::string_view bytes = r.output;
                              if (format == DecisionFormat::kDelimited) {
                                // Every decision here is shorter than 128 bytes * 128.
                                size_t size = static_cast<uint8_t>(bytes[0]) & 0x7F, header = 1;
                                if (static_cast<uint8_t>(bytes[0]) & 0x80) {
                                  size |= static_cast<size_t>(static_cast<uint8_t>(bytes[1])) << 7;
                                  header = 2;
                                }
                                EXPECT_EQ(size + header, bytes.size());
                                bytes.remove_prefix(header);
                              }
                              v1::Decision d;
                              EXPECT_TRUE(d.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
                              got.push_back(d.SerializeAsString());
                            }
                            return absl::OkStatus();
                          })
                    .ok());
    EXPECT_EQ(got, expected) << static_cast<int>(format);
  }
}

TEST(BatchEvaluatorTest, RecordEvaluatorDecidesOneRecordLikeTheBatch) {
  const std::vector<std::string> lines = Applications(12);
  const std::vector<std::string> batch = RunAll(lines, JsonLines(2, 5));
  std::shared_ptr<const Program> program = TestProgram();
  Registries registries;
  RecordEvaluator one;
  for (size_t i = 0; i < lines.size(); ++i) {
    InputRecord record;
    record.data = lines[i];
    RecordError error;
    ASSERT_TRUE(one.Evaluate(*program, registries, {}, Language::kChinese, record, &error)) << error.message;
    EXPECT_EQ(one.application().id(), absl::StrCat("A", i));
    EXPECT_THAT(batch[i], HasSubstr(absl::StrCat("\"application_id\":\"", one.decision().application_id(), "\"")));
  }
  InputRecord bad;
  bad.data = "not json";
  bad.number = 9;
  RecordError error;
  EXPECT_FALSE(one.Evaluate(*program, registries, {}, Language::kChinese, bad, &error));
  EXPECT_EQ(error.kind, RecordError::Kind::kInvalidJson);
  EXPECT_EQ(error.number, 9);
}

TEST(BatchEvaluatorTest, CreateRefusesBadOptions) {
  BatchOptions options;
  EXPECT_EQ(BatchEvaluator::Create(nullptr, nullptr, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.threads = -1;
  EXPECT_EQ(BatchEvaluator::Create(TestProgram(), nullptr, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.threads = 1;
  options.batch_size = 0;
  EXPECT_EQ(BatchEvaluator::Create(TestProgram(), nullptr, options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace heyan
