#include "app/step_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "common/enum_names.hpp"
#include "models/hardware/gpu_family.hpp"
#include "models/step/simulate.hpp"
#include "models/workload/validity.hpp"

namespace cirrus::app {

constexpr EnumNames<RowStatus, 3> kRowStatusNames = {{{RowStatus::kPredicted, "predicted"},
                                                      {RowStatus::kRefused, "refused"},
                                                      {RowStatus::kUnsupported, "unsupported"}}};

const char* to_string(RowStatus s) { return name_in(kRowStatusNames, s); }

int DatasetValidation::not_predicted() const {
  return static_cast<int>(std::count_if(
      rows.begin(), rows.end(), [](const auto& r) { return r.status != RowStatus::kPredicted; }));
}

namespace {

std::string file_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

ValidationRowResult run_row(const scenarios::ValidationRow& row,
                            const ValidationRunOptions& options) {
  ValidationRowResult out;
  models::StepInput input = row.input;
  const auto& s = input.strategy;
  out.id = row.id;
  out.gpu_family = models::gpu_family(input.cluster.node.gpu.id);
  out.precision = models::to_string(input.training.precision);
  out.framework = row.framework;
  out.gpus = s.gpus();
  out.tp = s.tp;
  out.pp = s.pp;
  out.dp = s.dp;
  out.cp = s.cp;
  out.published_kind = row.published_kind;
  out.published_value = row.published_value;
  out.published_s = row.published_step_s;
  out.published_memory_gib = row.published_memory_gib;
  out.source = row.source;
  out.stated = row.stated;
  out.note = row.note;
  out.assumed = row.assumed;
  if (options.calibrate) out.calibration = options.calibrate(row, input);
  if (const auto v =
          models::check_configuration(input.model, input.training, input.strategy, input.cluster)) {
    out.status = RowStatus::kUnsupported;
    out.reason = fmt::format("{} (needs {}; has {})", v->rule, v->expected, v->found);
    return out;
  }
  const auto r = models::simulate_step(input);
  out.memory_capacity_gib = r.memory.capacity;
  if (r.memory.total > 0) {
    out.predicted_memory_gib = r.memory.total;
    out.predicted_reserved_gib = r.memory.reserved;
  }
  if (!r.feasible) {
    out.status = RowStatus::kRefused;
    out.reason = r.infeasible_reason;
    return out;
  }
  if (out.calibration.empty()) out.calibration = r.calibration;
  out.predicted_s = r.step_time_s;
  out.error = (r.step_time_s - row.published_step_s) / row.published_step_s;
  out.mfu = r.mfu;
  return out;
}

}  // namespace

DatasetValidation run_validation(const scenarios::ValidationSet& set,
                                 const ValidationRunOptions& options) {
  DatasetValidation d;
  d.file = set.file;
  d.name = file_name(set.file);
  d.title = set.title;
  d.source = set.source;
  d.assumptions = set.assumptions;
  const std::size_t n = set.rows.size();
  d.rows.resize(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        d.rows[i] = run_row(set.rows[i], options);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min<std::size_t>(
      n, options.threads > 0 ? static_cast<std::size_t>(options.threads) : hw);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);  // the lowest row's, whatever the thread count
  }
  std::vector<double> errs, mem;
  for (const auto& r : d.rows) {
    if (r.status == RowStatus::kPredicted) errs.push_back(r.error);
    if (r.published_memory_gib && r.predicted_reserved_gib) {
      mem.push_back((*r.predicted_reserved_gib - *r.published_memory_gib) /
                    *r.published_memory_gib);
    }
  }
  d.stats = error_stats(errs);
  if (!mem.empty()) d.memory = error_stats(mem);
  return d;
}

std::vector<GroupSummary> summarize(const std::vector<DatasetValidation>& sets, GroupBy by) {
  using Key = std::tuple<std::string, std::string, std::string>;
  struct Acc {
    GroupSummary g;
    std::vector<double> errors;
    std::set<std::string> datasets;
  };
  std::map<Key, Acc> groups;
  for (const auto& d : sets) {
    for (const auto& r : d.rows) {
      const bool family =
          by == GroupBy::kFamilyPrecisionFramework || by == GroupBy::kFamilyPrecision;
      const bool precision = by != GroupBy::kAll;
      const bool framework = by == GroupBy::kFamilyPrecisionFramework;
      const Key key{family ? r.gpu_family : "all", precision ? r.precision : "all",
                    framework ? r.framework : "all"};
      Acc& a = groups[key];
      std::tie(a.g.gpu_family, a.g.precision, a.g.framework) = key;
      ++a.g.rows;
      a.datasets.insert(d.name);
      switch (r.status) {
        case RowStatus::kPredicted:
          ++a.g.predicted;
          a.errors.push_back(r.error);
          if (a.g.worst_id.empty() || std::fabs(r.error) > std::fabs(a.g.worst_error)) {
            a.g.worst_id = r.id;
            a.g.worst_error = r.error;
          }
          break;
        case RowStatus::kRefused:
          ++a.g.refused;
          break;
        case RowStatus::kUnsupported:
          ++a.g.unsupported;
          break;
      }
    }
  }
  std::vector<GroupSummary> out;
  for (auto& [key, a] : groups) {
    a.g.stats = error_stats(a.errors);
    a.g.datasets.assign(a.datasets.begin(), a.datasets.end());
    out.push_back(std::move(a.g));
  }
  return out;
}

}  // namespace cirrus::app
