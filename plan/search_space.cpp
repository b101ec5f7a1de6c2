#include "plan/search_space.hpp"

#include <algorithm>

#include "common/input_error.hpp"

namespace cirrus::plan {
namespace {

template <class T>
std::vector<T> expand(const scenarios::Choice<T>& c, const std::vector<T>& automatic) {
  return c.is_auto ? automatic : c.values;
}

std::vector<int> divisors(long n, long limit) {
  std::vector<int> out;
  for (long d = 1; d <= n && d <= limit; ++d) {
    if (n % d == 0) out.push_back(static_cast<int>(d));
  }
  return out;
}

}  // namespace

double SearchSpace::raw_combinations() const {
  double n = static_cast<double>(instances.size()) * static_cast<double>(nodes.size());
  for (const auto* v : {&tp, &pp, &cp, &ep, &micro_batch, &zero}) {
    n *= static_cast<double>(v->size());
  }
  if (!dp_derived) n *= static_cast<double>(dp.size());
  double visited = 0;  // (schedule, virtual stages) pairs the search visits
  for (const models::Schedule sched : schedule) {
    for (const int vs : virtual_stages) visited += visits(sched, vs) ? 1.0 : 0.0;
  }
  n *= visited;
  n *= static_cast<double>(sequence_parallel.size() * recompute.size());
  n *= static_cast<double>(offload_params.size() * offload_optimizer.size());
  return n;
}

bool SearchSpace::visits(models::Schedule sched, int vs) const {
  if (sched == models::Schedule::kInterleaved || vs == 1) return true;
  return std::find(virtual_stages.begin(), virtual_stages.end(), 1) == virtual_stages.end();
}

SearchSpace build_search_space(const scenarios::Scenario& s,
                               std::vector<InstanceOption> instances) {
  SearchSpace sp;
  if (instances.empty()) {
    throw InputError(s.file, "cluster.instance", "at least one instance or node to search", "none");
  }
  sp.instances = std::move(instances);
  int max_gpus_per_node = 1;
  for (const auto& i : sp.instances) max_gpus_per_node = std::max(max_gpus_per_node, i.node.gpus);
  const auto& m = s.model;
  const auto& st = s.strategy;
  std::vector<int> node_auto;
  for (int n = 1; n <= kAutoNodesMax; n *= 2) node_auto.push_back(n);
  sp.nodes = expand(s.nodes, node_auto);
  sp.nodes_auto = s.nodes.is_auto;
  std::vector<int> tp_auto;
  for (int d : divisors(max_gpus_per_node, max_gpus_per_node)) {
    if (m.heads % d == 0) tp_auto.push_back(d);
  }
  sp.tp = expand(st.tp, tp_auto);
  sp.pp = expand(st.pp, divisors(m.layers, m.layers));
  sp.dp_derived = !st.dp_given;
  if (!sp.dp_derived) sp.dp = expand(st.dp, std::vector<int>{});
  std::vector<int> cp_auto;
  for (int c : {1, 2, 4, 8}) {
    if (m.seq_len % (c == 1 ? 1 : 2 * c) == 0) cp_auto.push_back(c);
  }
  sp.cp = expand(st.cp, cp_auto);
  // Expert parallelism: any divisor of the expert count for an MoE model (those not dividing
  // dp x cp are pruned by the validity rules, counted by reason), 1 for a dense one.
  sp.ep = expand(st.ep, m.moe ? divisors(m.moe->experts, m.moe->experts) : std::vector<int>{1});
  sp.micro_batch = expand(st.micro_batch, std::vector<int>{1, 2, 4, 8});
  sp.schedule = expand(
      st.schedule, std::vector<models::Schedule>{models::Schedule::kGpipe, models::Schedule::k1F1B,
                                                 models::Schedule::kInterleaved});
  // Virtual stages only mean something for the interleaved schedule; when the scenario leaves
  // them out, interleaving tries 2-4 and the other schedules use 1.
  if (st.virtual_stages.is_auto || !st.virtual_stages_given) {
    sp.virtual_stages = {1, 2, 3, 4};
  } else {
    sp.virtual_stages = st.virtual_stages.values;
  }
  sp.sequence_parallel = expand(st.sequence_parallel, std::vector<bool>{false, true});
  sp.zero = expand(st.zero, std::vector<int>{0, 1, 2, 3});
  sp.recompute = expand(st.recompute, std::vector<models::Recompute>{models::Recompute::kNone,
                                                                     models::Recompute::kSelective,
                                                                     models::Recompute::kFull});
  sp.overlap = st.overlap;
  sp.attention = st.attention;
  sp.dp_shard = st.dp_shard;
  sp.recompute_every = st.recompute_every;
  sp.offload = st.offload;
  const std::vector<models::Tier> tiers = {models::Tier::kGpu, models::Tier::kHost,
                                           models::Tier::kNvme};
  sp.offload_params = expand(st.offload_params, tiers);
  sp.offload_optimizer = expand(st.offload_optimizer, tiers);
  auto require = [&](bool ok, const char* path) {
    if (!ok) throw InputError(s.file, path, "at least one candidate value", "an empty list");
  };
  require(!sp.nodes.empty(), "cluster.nodes");
  require(!sp.tp.empty(), "strategy.tp");
  require(!sp.pp.empty(), "strategy.pp");
  require(sp.dp_derived || !sp.dp.empty(), "strategy.dp");
  require(!sp.cp.empty(), "strategy.cp");
  require(!sp.ep.empty(), "strategy.ep");
  require(!sp.micro_batch.empty(), "strategy.micro_batch");
  require(!sp.zero.empty(), "strategy.zero");
  return sp;
}

}  // namespace cirrus::plan
