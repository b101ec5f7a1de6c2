#pragma once
// A scenario: what to train, on what, and how (CONTRACT.md, "Scenario"). Fields that `plan`
// may leave open are Choices; `simulate` needs every choice pinned.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/network/cluster.hpp"
#include "models/serving/serving_spec.hpp"
#include "models/systems/elastic_run.hpp"
#include "models/systems/offload_inference.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"
#include "pricing/catalog.hpp"
#include "scenarios/megatron_aliases.hpp"

namespace cirrus {
class JsonNode;
}  // namespace cirrus

namespace cirrus::scenarios {

// One value, a list of candidates, or "auto" (every valid value, enumerated by the planner).
template <class T>
struct Choice {
  std::vector<T> values;
  bool is_auto = false;

  static Choice fixed(T v) { return Choice{{std::move(v)}, false}; }
  bool open() const { return is_auto || values.size() != 1; }
  // By value: a reference into std::vector<bool> would dangle.
  T value() const {
    if (open()) throw std::logic_error("Choice::value on an open choice");
    return values.front();
  }
};

struct StrategySpace {
  Choice<int> tp = Choice<int>::fixed(1);
  Choice<int> pp = Choice<int>::fixed(1);
  Choice<int> dp = Choice<int>::fixed(1);  // default: GPUs / (tp pp cp)
  bool dp_given = false;
  Choice<int> cp = Choice<int>::fixed(1);
  Choice<int> ep = Choice<int>::fixed(1);
  Choice<int> micro_batch = Choice<int>::fixed(1);
  Choice<models::Schedule> schedule = Choice<models::Schedule>::fixed(models::Schedule::k1F1B);
  Choice<int> virtual_stages = Choice<int>::fixed(1);
  // When absent, the count follows the schedule: 2 for interleaved, 1 otherwise. The loader
  // applies that to a pinned schedule; pinned_strategy() (and the planner, per candidate) to
  // an open one.
  bool virtual_stages_given = false;
  Choice<bool> sequence_parallel = Choice<bool>::fixed(false);
  Choice<int> zero = Choice<int>::fixed(0);
  int dp_shard = 0;  // HSDP shard group (models::Strategy::dp_shard); 0: all dp x cp ranks
  int recompute_every = 2;
  Choice<models::Recompute> recompute = Choice<models::Recompute>::fixed(models::Recompute::kNone);
  models::Overlap overlap;
  models::AttentionKernel attention = models::AttentionKernel::kFlash;
  // strategy.offload: the prefetch depths and fused_comm are pinned; the placements of the
  // parameters and of the optimizer states are choices (a tier, a list of tiers or "auto").
  // offload.params / offload.optimizer hold the pinned placements (gpu while open).
  models::Offload offload;
  Choice<models::Tier> offload_params = Choice<models::Tier>::fixed(models::Tier::kGpu);
  Choice<models::Tier> offload_optimizer = Choice<models::Tier>::fixed(models::Tier::kGpu);
};

struct PricingSpec {
  pricing::PricingModel model = pricing::PricingModel::kOnDemand;
  std::string region;  // empty: the catalog's default region
  // Committed pricing: the fraction of the unused term's cost assumed recovered (resale, other
  // work); 0 (default) bills the whole term (pricing::CostInput::committed_reuse).
  double committed_reuse = 0;
  // pricing.usd_per_hour: the price of `model` in USD per instance-hour, replacing the
  // catalog's (which has none for capacity blocks and flex-start): one number for the
  // scenario's one instance, or one per instance id (scenarios/scenario_prices.hpp applies it).
  std::optional<double> usd_per_hour;
  std::map<std::string, double> usd_per_hour_by_instance;
};

struct Objective {
  std::string minimize = "cost";  // "cost" or "time"
  std::optional<double> max_usd;
  std::optional<double> max_days;
};

struct Scenario {
  std::string file;  // where it was read from (for error messages)
  std::string name;
  models::TransformerConfig model;
  models::Training training;
  Choice<std::string> instance;  // empty values and !is_auto: not given
  std::optional<models::NodeSpec> node;
  std::string node_id;  // preset id or "inline"
  Choice<int> nodes = Choice<int>::fixed(1);
  models::NetworkSpec network;
  std::string profile;  // path, empty when none
  StrategySpace strategy;
  PricingSpec pricing;
  Objective objective;
  nlohmann::json expect;                           // null when absent; interpreted by `check`
  std::optional<models::ElasticSpec> elastic;      // `elastic` block (cirrus elastic)
  std::optional<models::InferenceSpec> inference;  // `inference` block (cirrus serve)
  std::optional<models::ServingSpec> serving;      // `serving` block (cirrus serve, by request)
  // Megatron-LM names read as cirrus's (scenarios/megatron_aliases.hpp): one hint line each
  // ("FILE: PATH: read as FIELD (Megatron-LM name)"), and the paths, for later errors.
  std::vector<std::string> hints;
  std::vector<AliasUse> aliases;

  // JSON paths of the open choices, in a fixed order ("cluster.nodes", "strategy.tp", ...).
  std::vector<std::string> open_choices() const;
  // The pinned strategy and cluster; throw InputError naming the first open choice.
  models::Strategy pinned_strategy() const;
  models::ClusterSpec pinned_cluster() const;
};

// Reads and validates a scenario file. Throws InputError (file, JSON path, expected, found)
// for malformed JSON, wrong types, unknown keys (with a did-you-mean), unknown presets and
// non-positive sizes; IoError when the file cannot be read. Megatron-LM names of fields are
// read as cirrus's (Scenario::hints says which); load_scenario also prints each hint on stderr
// as "cirrus: HINT", parse_scenario only returns them.
Scenario load_scenario(const std::string& path);
Scenario parse_scenario(const std::string& text, const std::string& file);

// A `cluster.node` value: a preset id or an inline node object (loader.cpp describes its
// keys), read with the scenario loader's errors. Validation datasets use it for their `node`.
models::NodeSpec read_node(const JsonNode& n);

// For a pinned scenario: the divisibility rules of CONTRACT.md (tp x pp x dp x cp = GPUs,
// heads % tp, layers % (pp x virtual stages), global batch % (dp x micro_batch), ...).
// Throws InputError naming the offending field.
void check_pinned(const Scenario& s);

}  // namespace cirrus::scenarios
