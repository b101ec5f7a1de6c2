#include "reports/expectations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "common/json_reader.hpp"

namespace cirrus::reports {
namespace {

struct Field {
  const char* path;
  FieldKind kind;
};

// The configuration of CONTRACT.md's result; each may also be written as a top-level shorthand
// ("tp": 8) or under "best" when it has no dot.
constexpr Field kConfigFields[] = {
    {"instance", FieldKind::kString},
    {"nodes", FieldKind::kNumber},
    {"gpus", FieldKind::kNumber},
    {"tp", FieldKind::kNumber},
    {"pp", FieldKind::kNumber},
    {"dp", FieldKind::kNumber},
    {"cp", FieldKind::kNumber},
    {"ep", FieldKind::kNumber},
    {"micro_batch", FieldKind::kNumber},
    {"schedule", FieldKind::kString},
    {"virtual_stages", FieldKind::kNumber},
    {"zero", FieldKind::kNumber},
    {"recompute", FieldKind::kString},
    {"sequence_parallel", FieldKind::kBool},
    {"attention", FieldKind::kString},
    {"overlap.dp", FieldKind::kBool},
    {"overlap.tp", FieldKind::kBool},
    {"overlap.pp", FieldKind::kBool},
};

// The scalar fields of a result object outside `config` (result_render, plan_render's `cost`
// and `estimate`). `cirrus` and `scenario` are left out: they say nothing about the outcome.
constexpr Field kResultFields[] = {
    {"feasible", FieldKind::kBool},
    {"infeasible_reason", FieldKind::kString},
    {"step_time_s", FieldKind::kNumber},
    {"tokens_per_s", FieldKind::kNumber},
    {"model_tflops_per_gpu", FieldKind::kNumber},
    {"mfu", FieldKind::kNumber},
    {"breakdown_s.compute", FieldKind::kNumber},
    {"breakdown_s.recompute", FieldKind::kNumber},
    {"breakdown_s.tp_comm", FieldKind::kNumber},
    {"breakdown_s.cp_comm", FieldKind::kNumber},
    {"breakdown_s.pp_comm", FieldKind::kNumber},
    {"breakdown_s.dp_comm", FieldKind::kNumber},
    {"breakdown_s.pp_bubble", FieldKind::kNumber},
    {"breakdown_s.optimizer", FieldKind::kNumber},
    {"breakdown_s.ep_comm", FieldKind::kNumber},
    {"moe.all_to_all_s", FieldKind::kNumber},
    {"moe.straggler_factor", FieldKind::kNumber},
    {"moe.hottest_expert", FieldKind::kNumber},
    {"moe.dropped_token_fraction", FieldKind::kNumber},
    {"breakdown_s.offload", FieldKind::kNumber},
    {"offload.transfer_s", FieldKind::kNumber},
    {"offload.exposed_s", FieldKind::kNumber},
    {"memory_gib.params", FieldKind::kNumber},
    {"memory_gib.grads", FieldKind::kNumber},
    {"memory_gib.optimizer", FieldKind::kNumber},
    {"memory_gib.activations", FieldKind::kNumber},
    {"memory_gib.buffers", FieldKind::kNumber},
    {"memory_gib.total", FieldKind::kNumber},
    {"memory_gib.capacity", FieldKind::kNumber},
    {"memory_gib.reserved", FieldKind::kNumber},
    {"run.tokens", FieldKind::kNumber},
    {"run.steps", FieldKind::kNumber},
    {"run.days", FieldKind::kNumber},
    {"cost.pricing", FieldKind::kString},
    {"cost.usd_per_hour", FieldKind::kNumber},
    {"cost.usd_per_step", FieldKind::kNumber},
    {"cost.usd_total", FieldKind::kNumber},
    {"cost.usd_per_million_tokens", FieldKind::kNumber},
    {"cost.catalog", FieldKind::kString},
    {"cost.run_days", FieldKind::kNumber},
    {"calibrated", FieldKind::kBool},
    {"calibration", FieldKind::kString},
    {"estimate", FieldKind::kString},
    // Error bars (reports/uncertainty_render.hpp); the ranges are arrays, not addressable.
    {"uncertainty.sigma", FieldKind::kNumber},
    {"uncertainty.basis", FieldKind::kString},
    {"uncertainty.bias", FieldKind::kNumber},
    {"uncertainty.rows", FieldKind::kNumber},
    {"uncertainty.wide", FieldKind::kBool},
    {"uncertainty.gpu_family", FieldKind::kString},
    {"uncertainty.precision", FieldKind::kString},
    {"uncertainty.factor", FieldKind::kNumber},
};

constexpr std::string_view kConfigPrefix = "config.";

std::optional<Field> find_field(const std::string& path) {
  if (path.starts_with(kConfigPrefix)) {
    const std::string rest = path.substr(kConfigPrefix.size());
    for (const auto& f : kConfigFields) {
      if (rest == f.path) return Field{f.path, f.kind};
    }
    return std::nullopt;
  }
  for (const auto& f : kResultFields) {
    if (path == f.path) return f;
  }
  return std::nullopt;
}

// Whether `path` names a group of fields ("memory_gib", "config", "config.overlap").
bool is_group(const std::string& path) {
  const std::string prefix = path + ".";
  const auto& all = expectation_fields();
  return std::any_of(all.begin(), all.end(),
                     [&](const std::string& f) { return f.starts_with(prefix); });
}

bool is_shorthand(const std::string& key) {
  return key.find('.') == std::string::npos && find_field(std::string(kConfigPrefix) + key);
}

std::vector<std::string> config_names() {
  std::vector<std::string> out;
  for (const auto& f : kConfigFields) out.emplace_back(f.path);
  return out;
}

// What a user may write at the top of `expect`, for suggestions.
std::vector<std::string> top_level_names() {
  std::vector<std::string> out = {"best"};
  for (const auto& f : kConfigFields) {
    if (std::string_view(f.path).find('.') == std::string_view::npos) out.emplace_back(f.path);
  }
  for (const auto& f : expectation_fields()) out.push_back(f);
  return out;
}

const char* kind_text(FieldKind k) {
  switch (k) {
    case FieldKind::kNumber:
      return "a number or [low, high]";
    case FieldKind::kBool:
      return "true or false";
    case FieldKind::kString:
      return "a string";
  }
  return "a value";
}

enum class Scope { kTop, kBest };

[[noreturn]] void fail_unknown(const JsonNode& n, const std::string& name, Scope scope) {
  if (scope == Scope::kBest) {
    const std::string rel = name.substr(std::string_view("best.").size());
    const auto known = config_names();
    throw InputError(n.file(), n.path(),
                     fmt::format("a configuration field ({})", fmt::join(known, ", ")),
                     "unknown field '" + rel + "'" + did_you_mean_suffix(rel, known));
  }
  throw InputError(n.file(), n.path(),
                   "a field of the result (feasible, step_time_s, tokens_per_s, mfu, "
                   "model_tflops_per_gpu, breakdown_s.*, memory_gib.*, run.*, cost.*) or of its "
                   "configuration (best, instance, nodes, tp, pp, dp, ...)",
                   "unknown field '" + name + "'" + did_you_mean_suffix(name, top_level_names()));
}

Expectation read_leaf(const JsonNode& n, const std::string& name, const std::string& path,
                      FieldKind kind) {
  Expectation e;
  e.name = name;
  e.path = path;
  e.kind = kind;
  const nlohmann::json& v = n.raw();
  if (v.is_array()) {
    if (kind != FieldKind::kNumber) {
      n.fail(fmt::format("{} (a [low, high] range needs a numeric field)", kind_text(kind)));
    }
    if (v.size() != 2 || !v[0].is_number() || !v[1].is_number()) {
      n.fail("[low, high]: a range of two numbers");
    }
    if (v[0].get<double>() > v[1].get<double>()) {
      throw InputError(n.file(), n.path(), "[low, high] with low <= high",
                       fmt::format("[{}, {}]", v[0].dump(), v[1].dump()));
    }
    e.range = true;
  } else {
    const bool ok = (kind == FieldKind::kNumber && v.is_number()) ||
                    (kind == FieldKind::kBool && v.is_boolean()) ||
                    (kind == FieldKind::kString && v.is_string());
    if (!ok) n.fail(kind_text(kind));
  }
  e.expected = v;
  return e;
}

void read_node(const JsonNode& n, const std::string& name, const std::string& path, Scope scope,
               std::vector<Expectation>& out) {
  if (const auto f = find_field(path)) {
    out.push_back(read_leaf(n, name, path, f->kind));
    return;
  }
  if (!n.is_object() || !is_group(path)) fail_unknown(n, name, scope);
  for (const auto& key : n.keys()) {
    read_node(n.at(key), name + "." + key, path + "." + key, scope, out);
  }
}

const nlohmann::json* lookup(const nlohmann::json& result, const std::string& path) {
  const nlohmann::json* at = &result;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    const std::string key = path.substr(begin, dot == std::string::npos ? dot : dot - begin);
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string::npos) return at;
    begin = dot + 1;
  }
}

// Numbers as a person writes them: 8, 12.84, 1e+12; strings quoted as in JSON.
std::string show(const nlohmann::json& v) {
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

std::string percent(double p) {
  return std::fabs(p) >= 0.1 ? fmt::format("{:+.1f}%", p) : fmt::format("{:+.2g}%", p);
}

// How far outside [low, high] x lies, relative to the bound it crosses.
std::string outside(double x, double low, double high) {
  if (x > high) {
    return high != 0 ? percent((x - high) / std::fabs(high) * 100) + " above the range"
                     : fmt::format("{} above the range", x - high);
  }
  return low != 0 ? percent((x - low) / std::fabs(low) * 100) + " below the range"
                  : fmt::format("{} below the range", x - low);
}

std::string missing(const nlohmann::json& result, const std::string& path) {
  const nlohmann::json* feasible = lookup(result, "feasible");
  if (feasible != nullptr && feasible->is_boolean() && !feasible->get<bool>()) {
    const nlohmann::json* why = lookup(result, "infeasible_reason");
    return "nothing (infeasible" +
           (why != nullptr && why->is_string() ? ": " + why->get<std::string>() : std::string()) +
           ")";
  }
  const std::string group = path.substr(0, path.find('.'));
  if (group != path && lookup(result, group) == nullptr) {
    return "nothing (the result has no " + group + ")";
  }
  return "nothing";
}

}  // namespace

const std::vector<std::string>& expectation_fields() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> out;
    for (const auto& f : kConfigFields) out.push_back(std::string(kConfigPrefix) + f.path);
    for (const auto& f : kResultFields) out.emplace_back(f.path);
    return out;
  }();
  return kAll;
}

std::vector<Expectation> parse_expectations(const scenarios::Scenario& s) {
  std::vector<Expectation> out;
  if (s.expect.is_null()) return out;
  const JsonNode root(s.expect, s.file, "expect");
  if (!root.is_object()) root.fail("an object");
  for (const auto& key : root.keys()) {
    const JsonNode v = root.at(key);
    if (key == "best") {
      if (!v.is_object()) v.fail("an object of configuration fields (instance, nodes, tp, ...)");
      for (const auto& k : v.keys()) {
        read_node(v.at(k), "best." + k, std::string(kConfigPrefix) + k, Scope::kBest, out);
      }
    } else {
      const std::string path = is_shorthand(key) ? std::string(kConfigPrefix) + key : key;
      read_node(v, key, path, Scope::kTop, out);
    }
  }
  return out;
}

std::vector<Check> evaluate_expectations(const std::vector<Expectation>& expectations,
                                         const nlohmann::json& result) {
  std::vector<Check> out;
  for (const auto& e : expectations) {
    Check c;
    c.name = "expect." + e.name;
    c.expected = e.range ? fmt::format("in [{}, {}]", show(e.expected[0]), show(e.expected[1]))
                         : show(e.expected);
    const nlohmann::json* a = lookup(result, e.path);
    if (a == nullptr || a->is_null()) {
      c.actual = a == nullptr ? missing(result, e.path) : "null";
    } else if (e.range) {
      c.actual = show(*a);
      if (a->is_number()) {
        const double x = a->get<double>();
        const double low = e.expected[0].get<double>();
        const double high = e.expected[1].get<double>();
        c.passed = low <= x && x <= high;
        if (!c.passed) c.actual += " (" + outside(x, low, high) + ")";
      }
    } else if (a->is_number() && e.expected.is_number()) {
      c.passed = a->get<double>() == e.expected.get<double>();
      c.actual = show(*a);
    } else {
      c.passed = *a == e.expected;
      c.actual = show(*a);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Check> check_expectations(const scenarios::Scenario& s, const nlohmann::json& result) {
  return evaluate_expectations(parse_expectations(s), result);
}

std::string difference(const Check& c) {
  return fmt::format("{}: expected {}, got {}", c.name, c.expected, c.actual);
}

}  // namespace cirrus::reports
