#include "app/expectations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>

#include "common/did_you_mean.hpp"
#include "common/input_error.hpp"
#include "common/json_reader.hpp"

namespace cirrus::app {
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
    {"cost.billed_hours", FieldKind::kNumber},  // capacity products (added)
    {"cost.unused_hours", FieldKind::kNumber},
    {"cost.billing", FieldKind::kString},
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
    std::string child_name = name;
    child_name.append(".").append(key);
    std::string child_path = path;
    child_path.append(".").append(key);
    read_node(n.at(key), child_name, child_path, scope, out);
  }
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

}  // namespace cirrus::app
