// `cirrus check SCENARIO|DIR...`: runs each scenario's `expect` block, for CI. A pinned scenario
// is simulated (with the `cost` object `simulate` prints for a catalog instance); one with open
// choices is planned with the default refinement and the shipped catalogs, and its best
// candidate judged. One line per scenario (PASS, FAIL or SKIP for one without `expect`), each
// failed expectation under its scenario, then `N passed, M failed, K skipped`.
//
// Exit status: 1 when any expectation failed, else 0. Bad input anywhere (a malformed scenario,
// an unknown `expect` field, a bad range) stops the run with the one-line error and status 3
// before anything is simulated: every scenario is read and validated first, so a typo in the
// last file costs no simulation time and never passes silently.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/paths.hpp"
#include "cli/commands.hpp"
#include "app/residuals.hpp"
#include "app/profiles.hpp"
#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "models/systems/checkpoint.hpp"
#include "models/step/simulate.hpp"
#include "plan/instance_options.hpp"
#include "plan/planner.hpp"
#include "plan/search_space.hpp"
#include "pricing/catalog.hpp"
#include "pricing/cost_model.hpp"
#include "reports/expectations.hpp"
#include "reports/plan_render.hpp"
#include "reports/result_render.hpp"
#include "reports/uncertainty_render.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/step_input.hpp"

namespace cirrus::cli {
namespace {

namespace fs = std::filesystem;

struct Options {
  std::vector<std::string> paths;
  std::string junit;
  int threads = 0;
  bool verbose = false;
  app::ProfileDefaults profiles;
};

enum class Outcome { kPass, kFail, kSkip };

struct Case {
  std::string file;
  std::string name;  // the scenario's name
  Outcome outcome = Outcome::kSkip;
  std::vector<reports::Check> checks;
  double seconds = 0;
};

// Files as given; directories searched recursively for *.json, each directory's files sorted by
// path so that runs (and JUnit reports) come in the same order everywhere.
std::vector<std::string> scenario_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".json") {
        found.push_back(it->path().generic_string());
      }
    }
    if (ec) throw IoError(fmt::format("{}: cannot list the directory: {}", p, ec.message()));
    if (found.empty()) {
      throw InputError(p, "", "a directory holding scenario files (*.json)", "none");
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

// The `cost` object `cirrus simulate --format json` prints for a pinned catalog instance under
// the scenario's pricing model (the same computation), so that numbers read off `simulate` can be
// pinned here. Null when the catalogs lack the instance or do not offer the pricing model.
nlohmann::json pinned_cost(const scenarios::Scenario& s,
                           const std::vector<pricing::Catalog>& catalogs,
                           const models::StepInput& input, double step_s) {
  const pricing::Instance* inst = pricing::find_instance(catalogs, s.instance.value());
  if (inst == nullptr) return nullptr;
  const double tokens_per_step =
      static_cast<double>(input.training.global_batch) * static_cast<double>(input.model.seq_len);
  pricing::CostInput in = pricing::make_cost_input(*inst, input.cluster.nodes, step_s,
                                                   tokens_per_step, s.training.tokens);
  in.checkpoint_bytes = models::checkpoint_bytes(input.model, input.training);
  const auto cost =
      pricing::contract_cost(pricing::estimate_cost(in), s.pricing.model, *inst);
  if (!cost) return nullptr;
  return {{"pricing", cost->pricing},
          {"usd_per_hour", reports::round_sig(cost->usd_per_hour)},
          {"usd_per_step", reports::round_sig(cost->usd_per_step)},
          {"usd_total", reports::round_sig(cost->usd_total)},
          {"usd_per_million_tokens", reports::round_sig(cost->usd_per_million_tokens)},
          {"catalog", cost->catalog}};
}

nlohmann::json pinned_result(const scenarios::Scenario& s,
                             const std::vector<pricing::Catalog>& catalogs,
                             const app::ProfileDefaults& profiles) {
  reports::ResultContext ctx;
  ctx.scenario = s.name;
  ctx.instance = scenarios::hardware_label(s);
  ctx.input = scenarios::pinned_input(s);
  ctx.input.profile = app::scenario_profile(s, ctx.input.cluster.node, profiles);
  const models::StepResult r = models::simulate_step(ctx.input);
  nlohmann::json j = reports::result_json(ctx, r);
  std::optional<double> usd_total;
  if (r.feasible && !s.instance.values.empty()) {
    if (auto cost = pinned_cost(s, catalogs, ctx.input, r.step_time_s); !cost.is_null()) {
      usd_total = cost["usd_total"].get<double>();
      j["cost"] = std::move(cost);
    }
  }
  reports::add_uncertainty_json(
      j, models::result_uncertainty(app::shipped_residuals().get(), ctx.input, r),
      {r.step_time_s, r.run ? std::optional<double>(r.run->days) : std::nullopt, usd_total});
  return j;
}

// The plan's best candidate; without one, an infeasible result saying which limit binds.
nlohmann::json planned_result(const scenarios::Scenario& s,
                              const std::vector<pricing::Catalog>& catalogs, int threads,
                              const app::ProfileDefaults& profiles) {
  const plan::ResolvedInstances resolved = plan::resolve_instances(s, catalogs);
  plan::SearchSpace space = plan::build_search_space(s, resolved.options);
  app::attach_scenario_profile(s, space, profiles);
  plan::PlanOptions po;  // the planner's default refinement and top K
  po.threads = threads;
  po.economics = plan::catalog_economics(s, resolved);
  const plan::PlanResult result = plan::run_plan(s, space, po);
  if (!result.best) {
    return {{"cirrus", 1},
            {"scenario", s.name},
            {"feasible", false},
            {"infeasible_reason",
             result.no_best_reason.empty() ? "no feasible configuration" : result.no_best_reason}};
  }
  const reports::PlanView view{&s, &space, &result, pricing::to_string(s.pricing.model),
                               app::shipped_residuals()};
  return reports::candidate_json(view, *result.best);
}

// Everything that can be bad input, without simulating: the scenario, its `expect` block, and
// what simulate or plan would refuse before running.
void validate(const scenarios::Scenario& s, const std::vector<pricing::Catalog>& catalogs) {
  reports::parse_expectations(s);
  if (s.open_choices().empty()) {
    scenarios::pinned_input(s);
  } else {
    const plan::ResolvedInstances resolved = plan::resolve_instances(s, catalogs);
    plan::build_search_space(s, resolved.options);
  }
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 has no escape for other control characters: they are dropped.
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') {
          out += ch;
        }
    }
  }
  return out;
}

std::size_t failed_checks(const Case& c) {
  return static_cast<std::size_t>(std::count_if(c.checks.begin(), c.checks.end(),
                                                [](const reports::Check& k) { return !k.passed; }));
}

std::string junit_xml(const std::vector<Case>& cases, double total_seconds) {
  std::size_t failures = 0;
  std::size_t skipped = 0;
  for (const auto& c : cases) {
    failures += c.outcome == Outcome::kFail ? 1 : 0;
    skipped += c.outcome == Outcome::kSkip ? 1 : 0;
  }
  const std::string counts =
      fmt::format(R"(tests="{}" failures="{}" errors="0" skipped="{}" time="{:.3f}")", cases.size(),
                  failures, skipped, total_seconds);
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"cirrus check\" {}>\n", counts);
  x += fmt::format("  <testsuite name=\"cirrus check\" {}>\n", counts);
  for (const auto& c : cases) {
    const std::string head = fmt::format(R"(    <testcase classname="{}" name="{}" time="{:.3f}")",
                                         xml_escape(c.file), xml_escape(c.name), c.seconds);
    if (c.outcome == Outcome::kPass) {
      x += head + "/>\n";
      continue;
    }
    x += head + ">\n";
    if (c.outcome == Outcome::kSkip) {
      x += "      <skipped message=\"no expect block\"/>\n";
    } else {
      std::string body;
      for (const auto& k : c.checks) {
        if (!k.passed) body += reports::difference(k) + "\n";
      }
      x += fmt::format(
          "      <failure message=\"{} of {} expectations failed\" type=\"expectation\">{}"
          "</failure>\n",
          failed_checks(c), c.checks.size(), xml_escape(body));
    }
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);  // one line per scenario as it finishes: CI logs show progress
}

}  // namespace

Action add_check(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "check", "run the scenarios' expect blocks; exit status 1 when any expectation fails");
  sub->add_option("scenarios", opt->paths,
                  "scenario files, or directories searched recursively for *.json")
      ->required();
  sub->add_option("--junit", opt->junit, "also write a JUnit XML report to this file (atomically)");
  sub->add_option("-j,--jobs", opt->threads,
                  "planner threads (default: all cores); results are identical")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("-v,--verbose", opt->verbose, "list passed expectations too");
  add_public_profile_flag(*sub, opt->profiles);
  return [opt]() {
    const int threads = opt->threads > 0
                            ? opt->threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const std::vector<pricing::Catalog> catalogs =
        pricing::read_catalog_dir(app::source_path("pricing/catalogs"));

    std::vector<scenarios::Scenario> all;
    for (const auto& file : scenario_files(opt->paths)) {
      all.push_back(scenarios::load_scenario(file));
      if (!all.back().expect.is_null()) validate(all.back(), catalogs);
    }

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::vector<Case> cases;
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t skipped = 0;
    for (const auto& s : all) {
      Case c;
      c.file = s.file;
      c.name = s.name;
      if (s.expect.is_null()) {
        ++skipped;
        print_line(fmt::format("SKIP  {}  {}  (no expect block)\n", c.file, c.name));
        cases.push_back(std::move(c));
        continue;
      }
      const auto t0 = Clock::now();
      const nlohmann::json result = s.open_choices().empty()
                                        ? pinned_result(s, catalogs, opt->profiles)
                                        : planned_result(s, catalogs, threads, opt->profiles);
      c.checks = reports::check_expectations(s, result);
      c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      const std::size_t bad = failed_checks(c);
      c.outcome = bad == 0 ? Outcome::kPass : Outcome::kFail;
      std::string text;
      if (bad == 0) {
        ++passed;
        text = fmt::format("PASS  {}  {}  ({} checks, {:.2f} s)\n", c.file, c.name, c.checks.size(),
                           c.seconds);
      } else {
        ++failed;
        text = fmt::format("FAIL  {}  {}  ({} of {} checks failed, {:.2f} s)\n", c.file, c.name,
                           bad, c.checks.size(), c.seconds);
      }
      for (const auto& k : c.checks) {
        if (!k.passed) {
          text += "      " + reports::difference(k) + "\n";
        } else if (opt->verbose) {
          text += fmt::format("      ok {}: {}\n", k.name, k.actual);
        }
      }
      print_line(text);
      cases.push_back(std::move(c));
    }
    const double total = std::chrono::duration<double>(Clock::now() - start).count();
    print_line(fmt::format("{} passed, {} failed, {} skipped\n", passed, failed, skipped));
    if (!opt->junit.empty()) write_file_atomic(opt->junit, junit_xml(cases, total));
    return failed > 0 ? kExitExpectationFailed : kExitOk;
  };
}

}  // namespace cirrus::cli
