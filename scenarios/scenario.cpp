// Scenario's open choices, the pinned views `simulate` needs, and the divisibility rules a
// pinned scenario must satisfy (CONTRACT.md: tp x pp x dp x cp = GPUs, ep divides dp x cp, ...).
// Each refusal is an InputError naming the field to change.
#include <fmt/format.h>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/input_error.hpp"
#include "scenarios/scenario.hpp"

#include "models/workload/validity.hpp"

namespace cirrus::scenarios {

namespace {

struct OpenChoice {
  std::string path;
  std::string found;  // "\"auto\"" or "a list of N"
};

template <class T>
void add_if_open(std::vector<OpenChoice>& out, const char* path, const Choice<T>& c) {
  if (!c.open()) return;
  out.push_back(
      {path, c.is_auto ? std::string("\"auto\"") : fmt::format("a list of {}", c.values.size())});
}

// The order of open_choices(): the cluster first (what to rent), then the strategy in the
// order CONTRACT.md lists its fields. Reports and the planner's enumeration rely on it.
std::vector<OpenChoice> list_open_choices(const Scenario& s) {
  std::vector<OpenChoice> out;
  // An instance with no values and not "auto" was simply not given: not a choice.
  if (s.instance.is_auto || s.instance.values.size() > 1) {
    add_if_open(out, "cluster.instance", s.instance);
  }
  add_if_open(out, "cluster.nodes", s.nodes);
  const StrategySpace& st = s.strategy;
  add_if_open(out, "strategy.tp", st.tp);
  add_if_open(out, "strategy.pp", st.pp);
  add_if_open(out, "strategy.dp", st.dp);
  add_if_open(out, "strategy.cp", st.cp);
  add_if_open(out, "strategy.ep", st.ep);
  add_if_open(out, "strategy.micro_batch", st.micro_batch);
  add_if_open(out, "strategy.schedule", st.schedule);
  add_if_open(out, "strategy.virtual_stages", st.virtual_stages);
  add_if_open(out, "strategy.sequence_parallel", st.sequence_parallel);
  add_if_open(out, "strategy.zero", st.zero);
  add_if_open(out, "strategy.recompute", st.recompute);
  add_if_open(out, "strategy.offload.params", st.offload_params);
  add_if_open(out, "strategy.offload.optimizer", st.offload_optimizer);
  return out;
}

[[noreturn]] void refuse(const Scenario& s, const OpenChoice& c) {
  throw InputError(s.file, c.path, "a single value (simulate needs every choice pinned)", c.found);
}

void refuse_open(const Scenario& s, std::string_view prefix) {
  for (const auto& c : list_open_choices(s)) {
    if (std::string_view(c.path).substr(0, prefix.size()) == prefix) refuse(s, c);
  }
}

constexpr std::int64_t kSaturated = std::numeric_limits<std::int64_t>::max();

// Products of user-given factors, saturating instead of overflowing.
std::int64_t product(std::initializer_list<std::int64_t> factors) {
  std::int64_t p = 1;
  for (const std::int64_t f : factors) {
    if (__builtin_mul_overflow(p, f, &p)) return kSaturated;
  }
  return p;
}

std::string show(std::int64_t v) {
  return v == kSaturated ? std::string("more than 9.2e18") : fmt::format("{}", v);
}

[[noreturn]] void fail(const Scenario& s, const char* path, const std::string& expected,
                       const std::string& found) {
  throw InputError(s.file, path, expected, found);
}

}  // namespace

std::vector<std::string> Scenario::open_choices() const {
  std::vector<std::string> paths;
  for (auto& c : list_open_choices(*this)) paths.push_back(std::move(c.path));
  return paths;
}

models::ClusterSpec Scenario::pinned_cluster() const {
  refuse_open(*this, "cluster.");
  if (!node) {
    throw InputError(file, "cluster.node",
                     "a node preset, an inline node object or a known cluster.instance", "nothing");
  }
  models::ClusterSpec c;
  c.node = *node;
  c.nodes = nodes.value();
  c.network = network;
  return c;
}

models::Strategy Scenario::pinned_strategy() const {
  refuse_open(*this, "strategy.");
  const StrategySpace& st = strategy;
  models::Strategy r;
  r.tp = st.tp.value();
  r.pp = st.pp.value();
  r.dp = st.dp.value();
  r.cp = st.cp.value();
  r.ep = st.ep.value();
  r.micro_batch = st.micro_batch.value();
  r.schedule = st.schedule.value();
  r.virtual_stages = st.virtual_stages_given                        ? st.virtual_stages.value()
                     : r.schedule == models::Schedule::kInterleaved ? 2
                                                                    : 1;
  // Not .value(): for Choice<bool> it would return a reference into a std::vector<bool>, i.e.
  // to a temporary proxy. refuse_open() above has made sure there is exactly one value.
  r.sequence_parallel = st.sequence_parallel.values.front();
  r.zero = st.zero.value();
  r.recompute = st.recompute.value();
  r.recompute_every = st.recompute_every;
  r.dp_shard = st.dp_shard;
  r.overlap = st.overlap;
  r.attention = st.attention;
  r.offload = st.offload;
  r.offload.params = st.offload_params.value();
  r.offload.optimizer = st.offload_optimizer.value();
  if (!st.dp_given) {
    // dp is what the GPUs leave; that needs the cluster pinned too.
    const models::ClusterSpec c = pinned_cluster();
    const std::int64_t per_replica = product({r.tp, r.pp, r.cp});
    if (per_replica <= c.gpus() && c.gpus() % per_replica == 0) {
      r.dp = static_cast<int>(c.gpus() / per_replica);
    }
  }
  return r;
}

namespace {

void check_pinned_fields(const Scenario& s) {
  const auto open = list_open_choices(s);
  if (!open.empty()) refuse(s, open.front());
  const models::ClusterSpec c = s.pinned_cluster();
  const models::Strategy st = s.pinned_strategy();
  const models::TransformerConfig& m = s.model;
  const std::int64_t gpus = c.gpus();
  const std::string gpus_text = fmt::format("{} GPUs ({} nodes x {})", gpus, c.nodes, c.node.gpus);

  if (!s.strategy.dp_given) {
    const std::int64_t per_replica = product({st.tp, st.pp, st.cp});
    if (per_replica > gpus || gpus % per_replica != 0) {
      fail(s, "strategy.tp",
           "tp x pp x cp dividing the cluster's " + gpus_text + ", as dp is derived from them",
           fmt::format("{} x {} x {} = {}", st.tp, st.pp, st.cp, show(per_replica)));
    }
  } else {
    const std::int64_t used = product({st.tp, st.pp, st.dp, st.cp});
    if (used != gpus) {
      fail(s, "strategy.dp", "tp x pp x dp x cp equal to the cluster's " + gpus_text,
           fmt::format("{} x {} x {} x {} = {}", st.tp, st.pp, st.dp, st.cp, show(used)));
    }
  }

  if (const auto v = models::check_configuration(m, s.training, st, c)) {
    throw InputError(s.file, v->path, v->expected, v->found);
  }
}

}  // namespace

void check_pinned(const Scenario& s) {
  try {
    check_pinned_fields(s);
  } catch (const InputError& e) {
    // A field read from a Megatron-LM name is reported under the name the user wrote.
    if (auto moved = alias_error(e, s.aliases)) throw *moved;
    throw;
  }
}

}  // namespace cirrus::scenarios
