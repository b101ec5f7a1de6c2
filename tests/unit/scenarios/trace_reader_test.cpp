// Request traces: the Azure CSV and Mooncake JSONL formats (../shared/reference/formats.md,
// section (d)), their scaling, and one clear error naming the file and line for a bad row.
#include <catch2/catch.hpp>
#include <string>

#include "common/input_error.hpp"
#include "scenarios/trace_reader.hpp"

using namespace cirrus;
using namespace cirrus::scenarios;

namespace {

models::TraceSpec spec(models::TraceFormat f, double time_scale = 1, double length_scale = 1) {
  models::TraceSpec s;
  s.path = "t";
  s.format = f;
  s.time_scale = time_scale;
  s.length_scale = length_scale;
  return s;
}

std::string error_of(const std::string& text, models::TraceFormat f) {
  try {
    (void)parse_trace(text, "trace.txt", spec(f));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The first rows of AzureLLMInferenceTrace_code.csv (formats.md).
const char* const kAzure =
    "TIMESTAMP,ContextTokens,GeneratedTokens\n"
    "2023-11-16 18:17:03.9799600,4808,10\n"
    "2023-11-16 18:17:04.0319600,3180,8\n"
    "2023-11-16 18:17:04.0781490,110,27\n";

constexpr auto kCsv = models::TraceFormat::kAzureCsv;
constexpr auto kJsonl = models::TraceFormat::kMooncakeJsonl;

}  // namespace

TEST_CASE("Azure trace times are UTC date-times, 2023 and 2024 styles", "[serving]") {
  // 2023-11-16 is day 19,677 after 1970-01-01: 19677 x 86400 + 18 h 17 min 3 s.
  const std::int64_t base = (19677LL * 86400 + 18LL * 3600 + 17LL * 60 + 3) * 1'000'000'000;
  CHECK(parse_utc_nanoseconds("2023-11-16 18:17:03.9799600") == base + 979'960'000);
  CHECK(parse_utc_nanoseconds("2023-11-16 18:17:03") == base);
  CHECK(parse_utc_nanoseconds("2023-11-16 18:17:03.5+00:00") == base + 500'000'000);
  CHECK(parse_utc_nanoseconds("2023-11-16T19:17:03+01:00") == base);
  CHECK(parse_utc_nanoseconds("2024-02-29 00:00:00").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("2023-02-29 00:00:00").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("2023-11-16 24:00:00").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("2023-11-16 18:17:03.").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("2023-11-16 18:17:03.1234567890").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("1700000000").has_value());
  CHECK_FALSE(parse_utc_nanoseconds("9999-12-31 23:59:59").has_value());  // past 64-bit ns
}

TEST_CASE("an Azure trace reads as offsets from its first request", "[serving]") {
  const TraceRequests t = parse_trace(kAzure, "code.csv", spec(kCsv));
  REQUIRE(t.requests.size() == 3);
  CHECK(t.requests[0].arrival == sim::Time::zero());
  // 04.0319600 - 03.9799600 = 52 ms exactly.
  CHECK(t.requests[1].arrival == sim::Time::ps(52'000'000'000));
  CHECK(t.requests[2].input_len == 110);
  CHECK(t.requests[2].output_len == 27);
  CHECK(t.largest_line == 2);  // 4808 + 10
  // Half the gaps, twice the lengths; cut after two requests or at 60 ms.
  const TraceRequests s = parse_trace(kAzure, "code.csv", spec(kCsv, 0.5, 2), 2);
  REQUIRE(s.requests.size() == 2);
  CHECK(s.requests[1].arrival == sim::Time::ps(26'000'000'000));
  CHECK(s.requests[1].input_len == 6360);
  CHECK(parse_trace(kAzure, "code.csv", spec(kCsv), std::nullopt, 0.060).requests.size() == 2);
}

TEST_CASE("a Mooncake trace reads its millisecond timestamps", "[serving]") {
  const std::string text =
      "{\"timestamp\": 0, \"input_length\": 6758, \"output_length\": 500, \"hash_ids\": [0, 1]}\n"
      "{\"timestamp\": 0, \"input_length\": 7322, \"output_length\": 490, \"hash_ids\": [0]}\r\n"
      "\n"
      "{\"timestamp\": 3052, \"input_length\": 100, \"output_length\": 1}\n";
  const TraceRequests t = parse_trace(text, "m.jsonl", spec(kJsonl));
  REQUIRE(t.requests.size() == 3);
  CHECK(t.requests[1].arrival == sim::Time::zero());
  CHECK(t.requests[2].arrival == sim::Time::ps(3'052'000'000'000));
  CHECK(t.largest_line == 2);
}

TEST_CASE("a bad trace row is one error naming the file and line", "[serving]") {
  using Catch::Contains;
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  CHECK_THAT(error_of(header + "2023-11-16 18:17:04,10,5\n2023-11-16 18:17:03,10,5\n", kCsv),
             Contains("trace.txt: line 3: TIMESTAMP") && Contains("no earlier than") &&
                 Contains("line 2"));
  CHECK_THAT(error_of(header + "2023-11-16 18:17:04,10,0\n", kCsv),
             Contains("trace.txt: line 2: GeneratedTokens") && Contains("\"0\""));
  CHECK_THAT(error_of(header + "2023-11-16 18:17:04,-3,5\n", kCsv),
             Contains("line 2: ContextTokens"));
  CHECK_THAT(error_of(header + "yesterday,10,5\n", kCsv),
             Contains("line 2: TIMESTAMP") && Contains("\"yesterday\""));
  CHECK_THAT(error_of("time,in,out\n1,2,3\n", kCsv),
             Contains("trace.txt: line 1") && Contains("TIMESTAMP"));
  CHECK_THAT(error_of("", kCsv), Contains("line 1") && Contains("empty"));
  CHECK_THAT(error_of("{\"timestamp\": -5, \"input_length\": 1, \"output_length\": 1}\n", kJsonl),
             Contains("trace.txt: line 1: timestamp") && Contains("non-negative"));
  CHECK_THAT(error_of("{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 1}\n"
                      "{\"timestamp\": 4, \"input_length\": 1, \"output_length\": 1}\n",
                      kJsonl),
             Contains("line 2: timestamp") && Contains("no earlier"));
  CHECK_THAT(error_of("{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 0}\n", kJsonl),
             Contains("line 1: output_length"));
  CHECK_THAT(error_of("{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 2,\n", kJsonl),
             Contains("line 1") && Contains("JSON object"));
  CHECK_THAT(error_of("{\"timestamp\": 5, \"input_len\": 1, \"output_length\": 2}\n", kJsonl),
             Contains("line 1") && Contains("input_len"));
}

TEST_CASE("Mooncake hash_ids become prefix ids of 512 tokens each", "[serving]") {
  const std::string text =
      "{\"timestamp\": 0, \"input_length\": 6758, \"output_length\": 500, \"hash_ids\": [0, 1]}\n"
      "{\"timestamp\": 0, \"input_length\": 7322, \"output_length\": 490, \"hash_ids\": [0, 14]}\n"
      "{\"timestamp\": 3052, \"input_length\": 100, \"output_length\": 1}\n";
  const TraceRequests t = parse_trace(text, "m.jsonl", spec(kJsonl));
  REQUIRE(t.prefix.requests() == 3);
  CHECK(t.prefix.tokens_per_id() == 512);
  CHECK(t.prefix.ids(0) == 2);
  CHECK(t.prefix.ids(2) == 0);
  // The first 512 tokens (32 blocks of 16) are shared, the next 512 are not.
  CHECK(t.prefix.block_hash(0, 31, 16) == t.prefix.block_hash(1, 31, 16));
  CHECK(t.prefix.block_hash(0, 32, 16) != t.prefix.block_hash(1, 32, 16));
  // Scaled lengths scale the block an id covers.
  CHECK(parse_trace(text, "m.jsonl", spec(kJsonl, 1, 0.5)).prefix.tokens_per_id() == 256);
  // Without any hash_ids (and for Azure traces), no prefix ids.
  CHECK(parse_trace(kAzure, "code.csv", spec(kCsv)).prefix.empty());
}

TEST_CASE("bad hash_ids name the file, line and element", "[serving]") {
  using Catch::Contains;
  const auto row = [](const std::string& ids) {
    return "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1}\n"
           "{\"timestamp\": 1, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": " +
           ids + "}\n";
  };
  CHECK_THAT(error_of(row("[0, -1]"), kJsonl),
             Contains("trace.txt: line 2: hash_ids[1]: expected a non-negative integer") &&
                 Contains("-1"));
  CHECK_THAT(error_of(row("[0.5]"), kJsonl), Contains("line 2: hash_ids[0]"));
  CHECK_THAT(error_of(row("[\"a\"]"), kJsonl), Contains("line 2: hash_ids[0]"));
  CHECK_THAT(error_of(row("7"), kJsonl), Contains("line 2: hash_ids: expected an array"));
  std::string many = "[0";
  for (int i = 0; i < 32768; ++i) many += ",1";
  CHECK_THAT(
      error_of(row(many + "]"), kJsonl),
      Contains("line 2: hash_ids: expected an array of at most 32768") && Contains("32769 ids"));
}
