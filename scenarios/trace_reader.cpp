#include "scenarios/trace_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/csv.hpp"
#include "common/excerpt.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"

namespace cirrus::scenarios {
namespace {

using models::kMaxArrivalSeconds;
using models::kMaxRequests;
using models::kMaxRequestTokens;

constexpr std::size_t kQuoteBytes = 40;
// The most hash ids one row may carry: one per 512-token block of the longest prompt.
constexpr std::size_t kMaxHashIds =
    static_cast<std::size_t>(kMaxRequestTokens / models::kMooncakeHashBlockTokens);

std::string shown(std::string_view text) { return "\"" + excerpt(text, kQuoteBytes, true) + "\""; }

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil, http://howardhinnant.github.io/date_algorithms.html).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// `n` digits at `pos` as a number; false when they are not all digits.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// A positive integer field up to kMaxRequestTokens, else nullopt.
std::optional<std::int64_t> positive_count(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::int64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1 || v > kMaxRequestTokens) return std::nullopt;
  return v;
}

std::int32_t scaled_length(std::int64_t v, double scale) {
  if (scale == 1.0) return static_cast<std::int32_t>(v);
  const double x = std::max(1.0, std::round(static_cast<double>(v) * scale));
  return static_cast<std::int32_t>(std::min(x, static_cast<double>(kMaxRequestTokens)));
}

// Collects rows into requests: offsets from the first row, scaled, checked for order and bounds.
// Times arrive in integer nanoseconds on the trace's own clock.
class Collector {
 public:
  Collector(std::string file, const TraceSpec& spec, std::optional<std::int64_t> max_requests,
            std::optional<double> duration_s)
      : file_(std::move(file)), spec_(spec), max_(max_requests), duration_(duration_s) {}

  bool full() const {
    return stopped_ || (max_ && static_cast<std::int64_t>(out_.requests.size()) >= *max_);
  }

  static std::string where(std::size_t line, const char* column) {
    return fmt::format("line {}: {}", line, column);
  }

  // `ids`: the row's prefix-block ids (Mooncake's hash_ids), null for a format without them.
  void add(std::size_t line, const char* time_column, std::int64_t ns, std::int64_t input,
           std::int64_t output, const std::vector<std::uint64_t>* ids = nullptr) {
    if (!out_.requests.empty() && ns < previous_) {
      throw InputError(file_, where(line, time_column),
                       fmt::format("a time no earlier than the row before (line {}): a trace is "
                                   "sorted by arrival",
                                   previous_line_),
                       "an earlier one");
    }
    if (out_.requests.empty()) first_ = ns;
    previous_ = ns;
    previous_line_ = line;
    const double offset_s = static_cast<double>(ns - first_) * 1e-9 * spec_.time_scale;
    if (duration_ && offset_s > *duration_) {
      stopped_ = true;
      return;
    }
    if (offset_s > kMaxArrivalSeconds) {
      throw InputError(file_, where(line, time_column),
                       fmt::format("an arrival within {:.0f} days of the first (after time_scale)",
                                   kMaxArrivalSeconds / 86400.0),
                       fmt::format("{:.0f} days", offset_s / 86400.0));
    }
    if (static_cast<std::int64_t>(out_.requests.size()) >= kMaxRequests) {
      throw InputError(file_, fmt::format("line {}", line),
                       fmt::format("at most {} requests (cut the trace with serving.arrivals."
                                   "requests or duration_s)",
                                   kMaxRequests),
                       "more rows");
    }
    Request r;
    r.id = static_cast<std::uint32_t>(out_.requests.size());
    // Exact integers when unscaled: the offset is under kMaxArrivalSeconds, so in range.
    r.arrival = spec_.time_scale == 1.0 ? sim::Time::ps((ns - first_) * 1000)
                                        : sim::Time::ps(std::llround(offset_s * 1e12));
    r.input_len = scaled_length(input, spec_.length_scale);
    r.output_len = scaled_length(output, spec_.length_scale);
    const std::int64_t total = std::int64_t{r.input_len} + r.output_len;
    if (total > largest_) {
      largest_ = total;
      out_.largest_line = line;
    }
    out_.requests.push_back(r);
    if (ids != nullptr) ids_.add(*ids);
  }

  TraceRequests take() {
    if (!ids_.empty()) out_.prefix = std::move(ids_);
    return std::move(out_);
  }

 private:
  std::string file_;
  TraceSpec spec_;
  std::optional<std::int64_t> max_;
  std::optional<double> duration_;
  TraceRequests out_;
  // A hash id covers 512 tokens of the trace's prompt, so 512 x length_scale of the scaled one.
  models::PrefixIds ids_{static_cast<double>(models::kMooncakeHashBlockTokens) *
                         spec_.length_scale};
  std::int64_t first_ = 0, previous_ = 0, largest_ = 0;
  std::size_t previous_line_ = 0;
  bool stopped_ = false;
};

constexpr const char* kLengthExpected =
    "a positive integer of at most 2^24 tokens (a request brings a prompt and generates at least "
    "one token)";

TraceRequests parse_azure(std::string_view text, const std::string& file, Collector& rows) {
  CsvReader reader(text, file);
  std::vector<std::string> fields;
  if (!reader.next(fields)) throw InputError(file, "line 1", "a header line", "an empty file");
  const CsvHeader header(fields);
  for (const char* name : {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}) {
    if (!header.has(name)) {
      throw InputError(file, "line 1",
                       fmt::format("the Azure trace header TIMESTAMP,ContextTokens,"
                                   "GeneratedTokens (no column '{}')",
                                   name),
                       shown(text.substr(0, text.find('\n'))));
    }
  }
  while (!rows.full() && reader.next(fields)) {
    const std::size_t line = reader.line();
    if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // a blank line
    const std::string_view when = header.get(fields, "TIMESTAMP");
    const auto ns = parse_utc_nanoseconds(trim(when));
    if (!ns || *ns < 0) {
      throw InputError(file, Collector::where(line, "TIMESTAMP"),
                       "a UTC time YYYY-MM-DD HH:MM:SS[.fraction][+00:00] from 1970 to 2255",
                       shown(when));
    }
    const std::string_view in = header.get(fields, "ContextTokens");
    const auto input = positive_count(in);
    if (!input) {
      throw InputError(file, Collector::where(line, "ContextTokens"), kLengthExpected, shown(in));
    }
    const std::string_view out = header.get(fields, "GeneratedTokens");
    const auto output = positive_count(out);
    if (!output) {
      throw InputError(file, Collector::where(line, "GeneratedTokens"), kLengthExpected,
                       shown(out));
    }
    rows.add(line, "TIMESTAMP", *ns, *input, *output);
  }
  return rows.take();
}

// A Mooncake length field: a positive integer.
std::int64_t mooncake_count(const nlohmann::json& row, const char* key, const std::string& file,
                            std::size_t line) {
  const auto it = row.find(key);
  if (it == row.end()) {
    throw InputError(file, Collector::where(line, key), kLengthExpected, "none");
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
      it->get<std::int64_t>() > kMaxRequestTokens) {
    throw InputError(file, Collector::where(line, key), kLengthExpected,
                     shown(it->dump().substr(0, kQuoteBytes)));
  }
  return it->get<std::int64_t>();
}

// Mooncake's optional hash_ids: the prompt's 512-token blocks as ids, equal leading ids for a
// shared prefix (formats.md, section (d)).
void mooncake_hash_ids(const nlohmann::json& row, const std::string& file, std::size_t line,
                       std::vector<std::uint64_t>& ids) {
  ids.clear();
  const auto it = row.find("hash_ids");
  if (it == row.end()) return;
  const std::string expected = fmt::format(
      "an array of at most {} non-negative integer ids, one per {}-token block of the prompt",
      kMaxHashIds, models::kMooncakeHashBlockTokens);
  if (!it->is_array() || it->size() > kMaxHashIds) {
    throw InputError(file, Collector::where(line, "hash_ids"), expected,
                     it->is_array() ? fmt::format("{} ids", it->size())
                                    : shown(it->dump().substr(0, kQuoteBytes)));
  }
  ids.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& id = (*it)[i];
    if (!id.is_number_unsigned()) {
      throw InputError(file, fmt::format("line {}: hash_ids[{}]", line, i),
                       "a non-negative integer block id", shown(id.dump().substr(0, kQuoteBytes)));
    }
    ids.push_back(id.get<std::uint64_t>());
  }
}

TraceRequests parse_mooncake(std::string_view text, const std::string& file, Collector& rows) {
  std::size_t pos = 0, line = 0;
  std::vector<std::uint64_t> ids;
  while (!rows.full() && pos < text.size()) {
    ++line;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view row_text = text.substr(pos, end - pos);
    pos = end + 1;
    if (!row_text.empty() && row_text.back() == '\r') row_text.remove_suffix(1);
    if (trim(row_text).empty()) continue;
    const nlohmann::json row = nlohmann::json::parse(row_text, nullptr, false);
    if (row.is_discarded() || !row.is_object()) {
      throw InputError(file, fmt::format("line {}", line),
                       "a JSON object {\"timestamp\", \"input_length\", \"output_length\"}",
                       shown(row_text));
    }
    for (const auto& item : row.items()) {
      const std::string& key = item.key();
      if (key != "timestamp" && key != "input_length" && key != "output_length" &&
          key != "hash_ids") {
        throw InputError(file, fmt::format("line {}", line),
                         "only the keys timestamp, input_length, output_length and hash_ids",
                         shown(key));
      }
    }
    const auto ts = row.find("timestamp");
    if (ts == row.end() || !ts->is_number()) {
      throw InputError(file, Collector::where(line, "timestamp"),
                       "a time in milliseconds from the trace's start",
                       ts == row.end() ? "none" : shown(ts->dump()));
    }
    const double ms = ts->get<double>();
    // 9e12 ms (285 years) keeps nanoseconds inside 64 bits.
    if (!(ms >= 0) || ms > 9e12) {
      throw InputError(file, Collector::where(line, "timestamp"),
                       "a non-negative time in milliseconds", shown(ts->dump()));
    }
    const std::int64_t input = mooncake_count(row, "input_length", file, line);
    const std::int64_t output = mooncake_count(row, "output_length", file, line);
    mooncake_hash_ids(row, file, line, ids);
    rows.add(line, "timestamp", std::llround(ms * 1e6), input, output, &ids);
  }
  return rows.take();
}

}  // namespace

std::optional<std::int64_t> parse_utc_nanoseconds(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != ' ' && s[10] != 'T') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  if (d > kMonthDays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0)) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t fraction_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    std::int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (++n > 9) return std::nullopt;
      fraction_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (n == 0) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      pos = s.size();
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
        return std::nullopt;
      }
      offset_s = (s[pos] == '+' ? 1 : -1) * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
      pos = s.size();
    } else {
      return std::nullopt;
    }
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t seconds =
      days * 86400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + sec - offset_s;
  // Nanoseconds fit 64 bits up to 2262; 9e9 s (the year 2255) keeps a margin.
  if (seconds > 9'000'000'000 || seconds < -9'000'000'000) return std::nullopt;
  return seconds * 1'000'000'000 + fraction_ns;
}

TraceRequests parse_trace(std::string_view text, const std::string& file, const TraceSpec& spec,
                          std::optional<std::int64_t> max_requests,
                          std::optional<double> duration_s) {
  Collector rows(file, spec, max_requests, duration_s);
  if (spec.format == models::TraceFormat::kAzureCsv) return parse_azure(text, file, rows);
  return parse_mooncake(text, file, rows);
}

TraceRequests read_trace(const TraceSpec& spec, std::optional<std::int64_t> max_requests,
                         std::optional<double> duration_s) {
  const std::string text = read_file(spec.path, kMaxTraceBytes);
  return parse_trace(text, spec.path, spec, max_requests, duration_s);
}

}  // namespace cirrus::scenarios
