#include "calibrate/nccl_tests.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "calibrate/fit.hpp"
#include "calibrate/profile_io.hpp"
#include "common/excerpt.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"

namespace cirrus::calibrate {
namespace {

using models::CollectiveKind;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Text from the log as cirrus passes it on: at most `max` characters, control and non-ASCII
// bytes as '?' (a binary or megabyte-long line must reach neither the terminal nor a profile,
// whose JSON must be UTF-8).
std::string printable(const std::string& s, std::size_t max) { return excerpt(trim(s), max, true); }

// A line or token as a message quotes it.
std::string shorten(const std::string& s) { return printable(s, 72); }

std::optional<double> to_double(const std::string& s) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> to_int(const std::string& s) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Column positions of one run's header: out-of-place and in-place time/algbw/busbw/#wrong.
struct Columns {
  std::size_t count = 0;  // tokens per data row
  std::size_t size = 0;
  std::size_t time[2] = {0, 0};
  std::size_t algbw[2] = {0, 0};
  std::size_t busbw[2] = {0, 0};
  std::optional<std::size_t> wrong[2];
};

std::optional<Columns> parse_header(const std::vector<std::string>& t) {
  // t holds the header's tokens after '#': size count type redop root time algbw ...
  Columns c;
  c.count = t.size();
  int seen_time = 0, seen_algbw = 0, seen_busbw = 0, seen_wrong = 0;
  bool has_size = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& n = t[i];
    if (n == "size") {
      c.size = i;
      has_size = true;
    } else if (n == "time" && seen_time < 2) {
      c.time[seen_time++] = i;
    } else if (n == "algbw" && seen_algbw < 2) {
      c.algbw[seen_algbw++] = i;
    } else if (n == "busbw" && seen_busbw < 2) {
      c.busbw[seen_busbw++] = i;
    } else if ((n == "#wrong" || n == "error") && seen_wrong < 2) {
      c.wrong[seen_wrong++] = i;
    }
  }
  if (!has_size || seen_time < 1 || seen_algbw < 1 || seen_busbw < 1) return std::nullopt;
  if (seen_time < 2) {  // a header with one (out-of-place) group only
    c.time[1] = c.time[0];
    c.algbw[1] = c.algbw[0];
    c.busbw[1] = c.busbw[0];
    c.wrong[1] = c.wrong[0];
  }
  return c;
}

// "#  Rank  0 Group  0 Pid  12345 on   host device  0 [0x07] NVIDIA A100-SXM4-80GB"
struct RankLine {
  int rank = 0;
  std::string host;
  std::string device;
};

std::optional<RankLine> parse_rank_line(const std::vector<std::string>& t) {
  // t: tokens after '#', t[0] == "Rank".
  RankLine r;
  if (t.size() < 2) return std::nullopt;
  const auto rank = to_int(t[1]);
  if (!rank || *rank < 0) return std::nullopt;
  r.rank = static_cast<int>(*rank);
  std::size_t i = 2;
  bool have_host = false;
  for (; i < t.size(); ++i) {
    if (t[i] == "on" && i + 1 < t.size()) {
      r.host = t[i + 1];
      have_host = true;
    }
    if (t[i] == "device") break;
  }
  if (!have_host) return std::nullopt;
  // device <index> [busid] <name...>
  i += 2;
  if (i < t.size() && !t[i].empty() && t[i].front() == '[') ++i;
  for (; i < t.size(); ++i) r.device += (r.device.empty() ? "" : " ") + t[i];
  r.device = printable(r.device, 128);
  r.host = printable(r.host, 128);
  return r;
}

bool is_failure(const std::string& line) {
  // nccl-tests' macros print "<host>: Test NCCL failure common.cu:123 '...'", "Test CUDA
  // failure", "Test failure"; NCCL itself "NCCL failure".
  return line.find("NCCL failure") != std::string::npos ||
         line.find("CUDA failure") != std::string::npos ||
         line.find("Test failure") != std::string::npos;
}

std::string version_from_code(std::int64_t code) {
  // NCCL_VERSION(X,Y,Z) = X*10000 + Y*100 + Z since 2.9; X*1000 + Y*100 + Z before.
  if (code >= 10000) return fmt::format("{}.{}.{}", code / 10000, (code / 100) % 100, code % 100);
  return fmt::format("{}.{}.{}", code / 1000, (code / 100) % 10, code % 100);
}

}  // namespace

std::optional<CollectiveKind> collective_from_test_name(const std::string& name) {
  const std::string n = lower(name);
  auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
  if (has("reduce_scatter") || has("reducescatter") || has("reduce-scatter")) {
    return CollectiveKind::kReduceScatter;
  }
  if (has("all_reduce") || has("allreduce") || has("all-reduce")) return CollectiveKind::kAllReduce;
  if (has("all_gather") || has("allgather") || has("all-gather")) return CollectiveKind::kAllGather;
  if (has("alltoall") || has("all_to_all") || has("all-to-all")) return CollectiveKind::kAllToAll;
  if (has("broadcast")) return CollectiveKind::kBroadcast;
  if (has("sendrecv") || has("send_recv") || has("send-recv")) return CollectiveKind::kSendRecv;
  return std::nullopt;
}

NcclTestsLog parse_nccl_tests_log(const std::string& text, const std::string& file,
                                  std::optional<CollectiveKind> op_override) {
  NcclTestsLog log;
  log.file = file;
  auto where = [](int line) { return fmt::format("line {}", line); };

  std::optional<CollectiveKind> op_in_log;
  std::optional<Columns> columns;
  int header_line = 0;
  int threads = 0, gpus = 0;
  std::vector<RankLine> ranks;
  bool complete = false;
  int line_no = 0;
  int last_line = 0;
  std::size_t rejected = 0;
  std::vector<int> point_lines;  // the line of each accepted row, for later refusals

  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    last_line = line_no;
    if (line.find("NCCL INFO") != std::string::npos) {
      const auto pos = line.find("NCCL version ");
      if (pos != std::string::npos && log.nccl_version.empty()) {
        const auto t = split(line.substr(pos + 13));
        if (!t.empty()) log.nccl_version = shorten(t[0].substr(0, t[0].find('+')));
      }
      continue;
    }
    if (line.find("NCCL WARN") != std::string::npos) {
      log.warnings.push_back(fmt::format("{}: {}: {}", file, where(line_no), shorten(line)));
      continue;
    }
    if (is_failure(line)) {
      throw InputError(file, where(line_no), "a log of an nccl-tests run without failures",
                       "'" + shorten(line) + "'");
    }
    const std::string body = trim(line);
    if (body.front() == '#') {
      const std::vector<std::string> t = split(body.substr(1));
      if (t.empty()) continue;
      if (t[0] == "nThread") {
        if (columns && (!log.points.empty() || rejected > 0)) {
          throw InputError(file, where(line_no), "one nccl-tests run per log",
                           "a second run's header");
        }
        for (std::size_t i = 0; i + 1 < t.size(); ++i) {
          if (t[i] == "nThread") threads = static_cast<int>(to_int(t[i + 1]).value_or(0));
          if (t[i] == "nGpus") gpus = static_cast<int>(to_int(t[i + 1]).value_or(0));
        }
      } else if (t[0] == "Rank") {
        const auto r = parse_rank_line(t);
        if (!r) {
          throw InputError(file, where(line_no),
                           "a rank line '#  Rank  N [Group G] Pid P on HOST device D [BUS] NAME'",
                           "'" + shorten(line) + "'");
        }
        ranks.push_back(*r);
      } else if (t[0] == "nccl-tests" && t.size() >= 3 && t[1] == "version") {
        for (const auto& tok : t) {
          if (tok.rfind("nccl-library=", 0) == 0) {
            if (const auto code = to_int(tok.substr(13)))
              log.nccl_version = version_from_code(*code);
          }
        }
      } else if (t.size() >= 4 && t[0] == "Collective" && t[1] == "test" && t[2] == "starting:") {
        op_in_log = collective_from_test_name(t[3]);
        if (!op_in_log) {
          throw InputError(file, where(line_no),
                           "one of the tests cirrus models (all_reduce_perf, all_gather_perf, "
                           "reduce_scatter_perf, alltoall_perf, broadcast_perf, sendrecv_perf)",
                           shorten(t[3]));
        }
      } else if (t[0] == "size") {
        if (columns && (!log.points.empty() || rejected > 0)) {
          throw InputError(file, where(line_no), "one nccl-tests run per log",
                           "a second column header");
        }
        columns = parse_header(t);
        if (!columns) {
          throw InputError(file, where(line_no),
                           "the nccl-tests column header (size count type redop root time "
                           "algbw busbw #wrong ...)",
                           "'" + shorten(line) + "'");
        }
        header_line = line_no;
      } else if (t[0] == "Avg" && t.size() >= 5 && t[1] == "bus" && t[2] == "bandwidth") {
        const auto v = to_double(t.back());
        if (!v) {
          throw InputError(file, where(line_no), "'# Avg bus bandwidth : <GB/s>'",
                           "'" + shorten(line) + "'");
        }
        log.avg_busbw_gbs = *v;
        complete = true;
      } else if (t[0] == "Out" && t.size() >= 4 && t[1] == "of" && t[2] == "bounds") {
        if (body.find("FAILED") != std::string::npos) {
          log.warnings.push_back(fmt::format(
              "{}: {}: nccl-tests reports wrong values ({}); rows with #wrong > 0 were dropped",
              file, where(line_no), shorten(line)));
        }
      }
      continue;
    }

    // A data row.
    if (!columns) {
      throw InputError(file, where(line_no),
                       "'#' header lines and the column header before the data rows",
                       "'" + shorten(line) + "'");
    }
    const std::vector<std::string> t = split(body);
    if (t.size() != columns->count) {
      throw InputError(file, where(line_no),
                       fmt::format("a data row of {} columns like the header on line {}",
                                   columns->count, header_line),
                       fmt::format("{} columns: '{}'", t.size(), shorten(line)));
    }
    auto number = [&](std::size_t col, const char* what) {
      const auto v = to_double(t[col]);
      if (!v || *v < 0) {
        throw InputError(file, where(line_no),
                         fmt::format("a number in column {} ({})", col + 1, what),
                         "'" + shorten(t[col]) + "'");
      }
      return *v;
    };
    const auto size = to_int(t[columns->size]);
    if (!size || *size < 0) {
      throw InputError(file, where(line_no), "a size in bytes in the first column",
                       "'" + shorten(t[columns->size]) + "'");
    }
    if (*size == 0) continue;  // minBytes 0 prints an empty message; nothing to learn
    // A count as printed (kept as a double: a corrupt file's 1e27 must not overflow an integer).
    double wrong = 0;
    for (int g = 0; g < 2; ++g) {
      if (!columns->wrong[g]) continue;
      const std::string& w = t[*columns->wrong[g]];
      if (w == "N/A") continue;  // run with -c 0: not checked
      const auto v = to_double(w);
      if (!v) {
        throw InputError(file, where(line_no), "a count in the #wrong column (or N/A)",
                         "'" + w + "'");
      }
      if (*v > 0) wrong = std::max(wrong, std::ceil(*v));
    }
    if (wrong > 0) {
      log.warnings.push_back(fmt::format("{}: {}: size {} dropped: #wrong = {:.0f}", file,
                                         where(line_no), *size, wrong));
      ++rejected;
      continue;
    }
    const double time_us = number(columns->time[0], "out-of-place time, us");
    if (!(time_us > 0)) {
      throw InputError(file, where(line_no), "a positive out-of-place time",
                       "'" + shorten(t[columns->time[0]]) + "'");
    }
    models::CollectivePoint p;
    p.bytes = *size;
    p.time_us = time_us;
    p.source = models::CollectiveSource::kNcclTests;
    const double printed_algbw = number(columns->algbw[0], "out-of-place algbw, GB/s");
    const double printed_busbw = number(columns->busbw[0], "out-of-place busbw, GB/s");
    const double algbw = static_cast<double>(*size) / (time_us * 1e3);
    if (std::fabs(printed_algbw - algbw) > 0.011 + 0.01 * algbw) {
      throw InputError(file, where(line_no),
                       fmt::format("algbw = size / time = {:.2f} GB/s", algbw),
                       fmt::format("{:.2f}", printed_algbw));
    }
    p.algbw_gbs = algbw;
    p.busbw_gbs = printed_busbw;  // checked against the rank count below
    log.points.push_back(p);
    point_lines.push_back(line_no);
  }

  if (!columns) {
    throw InputError(file, "", "an nccl-tests log with its '#  size  count  type ...' header",
                     line_no == 0 ? "an empty file" : "no column header");
  }
  if (!complete) {
    throw InputError(file, where(last_line),
                     "the '# Avg bus bandwidth' line that ends a complete nccl-tests run",
                     "the end of the file (a truncated log?)");
  }
  if (log.points.empty()) {
    throw InputError(file, where(last_line), "at least one usable data row",
                     rejected > 0 ? "only rows with #wrong > 0" : "none");
  }

  // The collective.
  const auto op_in_name =
      collective_from_test_name(std::filesystem::path(file).filename().string());
  if (op_in_log && op_override && *op_in_log != *op_override) {
    throw InputError(file, "",
                     fmt::format("the collective given (--op {})", models::to_string(*op_override)),
                     fmt::format("a log of {}", models::to_string(*op_in_log)));
  }
  if (op_in_log) {
    log.op = *op_in_log;
  } else if (op_override) {
    log.op = *op_override;
  } else if (op_in_name) {
    log.op = *op_in_name;
  } else {
    throw InputError(file, "",
                     "a log that names its test ('# Collective test starting: ...', or a file "
                     "name such as all_reduce_perf.log), or --op",
                     "neither");
  }

  // Ranks and nodes.
  if (!ranks.empty()) {
    std::set<int> ids;
    std::set<std::string> hosts;
    for (const auto& r : ranks) {
      ids.insert(r.rank);
      hosts.insert(r.host);
    }
    log.ranks = static_cast<int>(ids.size());
    log.nodes = static_cast<int>(hosts.size());
    log.device_name = ranks.front().device;
  } else if (threads > 0 && gpus > 0) {
    log.ranks = threads * gpus;
    log.nodes = 1;
    log.warnings.push_back(
        fmt::format("{}: no '#  Rank' lines: {} ranks on one node taken from nThread x nGpus", file,
                    log.ranks));
  } else {
    throw InputError(file, "", "the '#  Rank ...' lines or the '# nThread N nGpus G' line",
                     "neither (cannot count the ranks)");
  }
  if (log.ranks < 2) {
    throw InputError(file, "", "a run over at least 2 ranks", fmt::format("{}", log.ranks));
  }

  const double factor = models::bus_factor(log.op, log.ranks);
  for (std::size_t i = 0; i < log.points.size(); ++i) {
    auto& p = log.points[i];
    const double busbw = p.algbw_gbs * factor;
    // Where GB/s are large enough for two decimals to mean something, the printed busbw must
    // follow nccl-tests' formula for this rank count: otherwise the ranks were miscounted.
    if (p.algbw_gbs >= 1.0 && std::fabs(p.busbw_gbs - busbw) > 0.011 + 0.02 * busbw) {
      throw InputError(file, where(point_lines[i]),
                       fmt::format("busbw = algbw x {:.4g} for {} over {} ranks ({:.2f} GB/s)",
                                   factor, models::to_string(log.op), log.ranks, busbw),
                       fmt::format("{:.2f} GB/s", p.busbw_gbs));
    }
    p.op = log.op;
    p.ranks = log.ranks;
    p.nodes = log.nodes;
    p.algbw_gbs = round_significant(p.algbw_gbs);
    p.busbw_gbs = round_significant(busbw);
  }
  std::stable_sort(log.points.begin(), log.points.end(),
                   [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  return log;
}

NcclTestsLog read_nccl_tests_log(const std::string& path, std::optional<CollectiveKind> op) {
  return parse_nccl_tests_log(read_file(path), path, op);
}

void merge_nccl_tests(models::Profile& profile, const std::vector<NcclTestsLog>& logs) {
  for (const NcclTestsLog& log : logs) {
    auto same = [&](const models::CollectivePoint& c) {
      return c.source == models::CollectiveSource::kNcclTests && c.op == log.op &&
             c.ranks == log.ranks && c.nodes == log.nodes;
    };
    profile.collectives.erase(
        std::remove_if(profile.collectives.begin(), profile.collectives.end(), same),
        profile.collectives.end());
  }
  for (const NcclTestsLog& log : logs) {
    profile.collectives.insert(profile.collectives.end(), log.points.begin(), log.points.end());
    if (profile.device.name.empty() && !log.device_name.empty()) {
      profile.device.name = log.device_name;
      profile.device.gpu = models::gpu_preset_for_device(log.device_name);
    }
    if (profile.versions.nccl.empty()) profile.versions.nccl = log.nccl_version;
  }
  profile.fits = fit_profile(profile);
}

}  // namespace cirrus::calibrate
