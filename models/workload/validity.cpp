#include "models/workload/validity.hpp"

#include <fmt/format.h>
#include <cstdint>
#include <limits>

namespace cirrus::models {
namespace {

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

// `rule` is a short fixed name, so counts group by rule and not by the numbers in a message.
std::optional<Violation> violation(const char* rule, const char* path, std::string expected,
                                   std::string found) {
  return Violation{rule, path, std::move(expected), std::move(found)};
}

}  // namespace

std::optional<Violation> check_configuration(const TransformerConfig& m, const Training& t,
                                             const Strategy& st, const ClusterSpec& c) {
  const std::int64_t gpus = c.gpus();
  const std::int64_t used = product({st.tp, st.pp, st.dp, st.cp});
  if (used != gpus) {
    return violation("tp x pp x dp x cp differs from the GPU count", "strategy.dp",
                     fmt::format("tp x pp x dp x cp equal to the cluster's {} GPUs ({} nodes x {})",
                                 gpus, c.nodes, c.node.gpus),
                     fmt::format("{} x {} x {} x {} = {}", st.tp, st.pp, st.dp, st.cp, show(used)));
  }
  if (m.heads % st.tp != 0) {
    return violation("tp does not divide the attention heads", "strategy.tp",
                     fmt::format("a divisor of the model's {} attention heads", m.heads),
                     fmt::format("tp = {}", st.tp));
  }
  // Fewer KV heads than tp ranks is allowed when they replicate evenly (GQA/MQA under TP).
  const bool kv_ok = m.kv_heads >= st.tp ? m.kv_heads % st.tp == 0 : st.tp % m.kv_heads == 0;
  if (!kv_ok) {
    return violation("tp does not fit the KV heads", "strategy.tp",
                     fmt::format("a divisor or a multiple of the model's {} KV heads", m.kv_heads),
                     fmt::format("tp = {}", st.tp));
  }

  // Uneven splits run (DeepSpeed's and torchtitan's stage splitters, Megatron-LM's
  // --decoder-first/last-pipeline-num-layers): the first model chunks take one more layer
  // (step_costs.hpp, chunk_layers). Every chunk must hold a layer.
  const std::int64_t chunks = product({st.pp, st.virtual_stages});
  if (chunks > m.layers) {
    return violation("more pipeline chunks than layers", "strategy.pp",
                     fmt::format("pp x virtual_stages at most the model's {} layers", m.layers),
                     fmt::format("{} x {} = {}", st.pp, st.virtual_stages, show(chunks)));
  }

  const std::int64_t per_step = product({st.dp, st.micro_batch});
  if (t.global_batch % per_step != 0) {
    return violation("dp x micro-batch does not divide the global batch", "training.global_batch",
                     fmt::format("a multiple of dp x micro_batch ({} x {} = {})", st.dp,
                                 st.micro_batch, show(per_step)),
                     fmt::format("global_batch = {}", t.global_batch));
  }
  const std::int64_t micro_batches = t.global_batch / per_step;

  if (st.schedule == models::Schedule::kInterleaved) {
    if (st.virtual_stages < 2) {
      return violation("interleaved needs virtual stages >= 2", "strategy.virtual_stages",
                       "at least 2 with the interleaved schedule",
                       fmt::format("virtual_stages = {}", st.virtual_stages));
    }
    if (st.pp < 2) {
      return violation("interleaved needs pp > 1", "strategy.schedule",
                       "a pipeline (pp > 1) for the interleaved schedule", "pp = 1");
    }
    // Megatron-LM's interleaved schedule runs micro-batches in groups of pp.
    if (micro_batches % st.pp != 0) {
      return violation(
          "interleaved needs micro-batches divisible by pp", "strategy.schedule",
          fmt::format("micro-batches per step a multiple of pp ({}) for the interleaved "
                      "schedule",
                      st.pp),
          fmt::format("{} micro-batches (global_batch / (dp x micro_batch))", micro_batches));
    }
  } else if (st.virtual_stages != 1) {
    return violation("virtual stages > 1 need the interleaved schedule", "strategy.virtual_stages",
                     "1 unless the schedule is interleaved",
                     fmt::format("virtual_stages = {} with schedule {}", st.virtual_stages,
                                 to_string(st.schedule)));
  }

  if (m.seq_len % st.cp != 0) {
    return violation("cp does not divide the sequence", "strategy.cp",
                     fmt::format("a divisor of the sequence length {}", m.seq_len),
                     fmt::format("cp = {}", st.cp));
  }
  // Load-balanced causal CP gives each rank two of 2 x cp chunks.
  if (st.cp > 1 && m.seq_len % (2 * std::int64_t{st.cp}) != 0) {
    return violation(
        "2 x cp does not divide the sequence", "strategy.cp",
        fmt::format("cp with 2 x cp dividing the sequence length {} (load-balanced chunks)",
                    m.seq_len),
        fmt::format("cp = {}", st.cp));
  }

  if (st.ep > 1 && !m.moe) {
    return violation("ep > 1 on a dense model", "strategy.ep",
                     "1 for a dense model (model.moe is absent)", fmt::format("ep = {}", st.ep));
  }
  const std::int64_t dp_cp = product({st.dp, st.cp});
  if (dp_cp % st.ep != 0) {
    return violation("ep does not divide dp x cp", "strategy.ep",
                     fmt::format("a divisor of dp x cp ({})", show(dp_cp)),
                     fmt::format("ep = {}", st.ep));
  }
  if (m.moe && m.moe->experts % st.ep != 0) {
    return violation("ep does not divide the experts", "strategy.ep",
                     fmt::format("a divisor of the {} experts", m.moe->experts),
                     fmt::format("ep = {}", st.ep));
  }

  // Megatron-LM refuses MoE with tensor parallelism but without sequence parallelism
  // (megatron/training/arguments.py: "When using MoE and tensor parallelism, sequence
  // parallelism must be used"): the token dispatcher expects sequence-sharded input.
  if (m.moe && st.tp > 1 && !st.sequence_parallel) {
    return violation("MoE with tp > 1 needs sequence parallelism", "strategy.sequence_parallel",
                     "true for an MoE model with tp > 1 (Megatron-LM's token dispatcher)",
                     fmt::format("false with tp = {}", st.tp));
  }

  if (st.dp_shard > 0) {
    if (dp_cp % st.dp_shard != 0) {
      return violation("dp_shard does not divide dp x cp", "strategy.dp_shard",
                       fmt::format("a divisor of dp x cp ({}): the shard group", show(dp_cp)),
                       fmt::format("dp_shard = {}", st.dp_shard));
    }
    if (st.zero == 0 && st.dp_shard != dp_cp) {
      return violation("dp_shard needs ZeRO", "strategy.dp_shard",
                       "ZeRO 1-3 (strategy.zero) to shard over a group smaller than dp x cp",
                       fmt::format("dp_shard = {} with zero = 0", st.dp_shard));
    }
    if (st.ep > 1 && st.dp_shard != dp_cp) {
      return violation("dp_shard with expert parallelism", "strategy.dp_shard",
                       "no hybrid sharding (dp_shard = dp x cp) with ep > 1",
                       fmt::format("dp_shard = {} with ep = {}", st.dp_shard, st.ep));
    }
  }
  if (st.recompute == Recompute::kSelectiveLayer && st.recompute_every < 1) {
    return violation("recompute_every below 1", "strategy.recompute_every",
                     "a positive layer period", fmt::format("{}", st.recompute_every));
  }

  if (st.sequence_parallel) {
    if (st.tp == 1) {
      return violation("sequence parallelism needs tp > 1", "strategy.sequence_parallel",
                       "false when tp = 1 (it splits along tp)", "true");
    }
    // Sequence parallelism splits each rank's sequence slice across the tp ranks.
    if ((m.seq_len / st.cp) % st.tp != 0) {
      return violation("tp does not divide the sequence slice", "strategy.sequence_parallel",
                       fmt::format("a sequence slice (seq_len / cp = {}) divisible by tp ({})",
                                   m.seq_len / st.cp, st.tp),
                       "true");
    }
  }

  if (c.nodes > 1 && (c.node.nics <= 0 || c.node.nic_bw <= 0)) {
    return violation("multi-node cluster without NICs", "cluster.node",
                     fmt::format("a node with inter-node NICs for {} nodes", c.nodes),
                     fmt::format("{} NICs", c.node.nics));
  }
  if (c.network.algorithm == Algorithm::kNvls) {
    // NVLink SHARP reduces in the NVSwitch: every all-reduce must stay inside one node that has
    // a third-generation NVSwitch. The TP group always all-reduces (the loss terms at least);
    // the data-parallel group does without ZeRO (which reduce-scatters instead).
    const bool has_nvls = c.node.nvls && c.node.scale_up == ScaleUpKind::kNvSwitch;
    const std::int64_t dp_span = product({st.tp, st.dp, st.cp});
    const bool dp_all_reduce = st.zero == 0 && dp_cp > 1;
    const char* crossing = nullptr;
    if (st.tp > 1 && st.tp > c.node.gpus) crossing = "the tensor-parallel group";
    if (!crossing && dp_all_reduce && dp_span > c.node.gpus) crossing = "the data-parallel group";
    if (!has_nvls || crossing) {
      return violation(
          "nvls all-reduce cannot run here", "cluster.network.algorithm",
          "an all-reduce algorithm that runs on this cluster (ring, tree, hierarchical; nvls only "
          "inside one node with NVSwitch gen 3)",
          !has_nvls ? fmt::format("nvls on node '{}', which lacks NVLink SHARP", c.node.id)
                    : fmt::format("nvls, but {} all-reduces across nodes", crossing));
    }
  }
  return std::nullopt;
}

}  // namespace cirrus::models
