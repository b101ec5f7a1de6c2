#include "models/step/step_costs.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "models/hardware/precision.hpp"
#include "models/network/topology.hpp"
#include "models/workload/finetune.hpp"

namespace cirrus::models {

std::vector<Segment> segments_of(const std::vector<LayerItem>& items, const ComputeModel& cm) {
  std::vector<Segment> out;
  for (const auto& it : items) {
    if (it.is_comm) {
      out.push_back({true, 0, it.collective, it.comm_bytes, it.group, it.overlap});
    } else {
      const double t = cm.seconds(it.op);
      if (out.empty() || out.back().is_comm) out.push_back({});
      out.back().seconds += t;
    }
  }
  return out;
}

StepPrograms step_programs(const StepInput& in, const ComputeModel& cm) {
  StepPrograms p;
  const auto& prec = in.training;
  const auto layer = transformer_layer(in.model, in.strategy, prec);
  p.fwd = segments_of(layer.forward, cm);
  p.bwd = segments_of(layer.backward, cm);
  p.rec = segments_of(layer.recompute, cm);
  if (in.model.moe) {
    const auto moe = transformer_layer(in.model, in.strategy, prec, true);
    p.moe_fwd = segments_of(moe.forward, cm);
    p.moe_bwd = segments_of(moe.backward, cm);
    p.moe_rec = segments_of(moe.recompute, cm);
  }
  const auto emb = embedding_layer(in.model, in.strategy, prec);
  p.emb_f = segments_of(emb.forward, cm);
  p.emb_b = segments_of(emb.backward, cm);
  const auto head = output_layer(in.model, in.strategy, prec);
  p.head_f = segments_of(head.forward, cm);
  p.head_b = segments_of(head.backward, cm);
  return p;
}

double layer_parameters(const TransformerConfig& m) {
  const double h = static_cast<double>(m.hidden);
  const double kv = static_cast<double>(m.kv_heads) * static_cast<double>(m.head_dim());
  const double mats = m.ffn == FfnKind::kSwiglu ? 3.0 : 2.0;
  return 2.0 * h * h + 2.0 * h * kv + mats * h * static_cast<double>(m.ffn_hidden) + 4.0 * h;
}

LayerParams layer_params_per_gpu(const StepInput& in, int layer) {
  const auto& m = in.model;
  const auto& s = in.strategy;
  LayerParams p;
  if (!m.is_moe_layer(layer)) {
    p.dense = layer_parameters(m) / s.tp;
    return p;
  }
  const double h = static_cast<double>(m.hidden);
  const double mats = m.ffn_matrices();
  const double fe = static_cast<double>(m.expert_ffn_hidden());
  const double attention = 2.0 * h * h + 2.0 * h * static_cast<double>(m.kv_dim());
  // Attention and shared experts split over tp; router and norms counted with them (/ tp, as
  // layer_parameters() does for the norms: a rounding below 1e-4 of a layer).
  p.dense =
      (attention + m.moe->shared_experts * mats * h * fe + h * m.moe->experts + 4.0 * h) / s.tp;
  p.expert = static_cast<double>(m.moe->experts) / s.ep * mats * h * fe / s.tp;
  return p;
}

int micro_batches(const StepInput& in) {
  return static_cast<int>(in.training.global_batch /
                          (static_cast<long>(in.strategy.dp) * in.strategy.micro_batch));
}

double nic_share(const NodeSpec& node) { return node.nics * node.nic_bw / node.gpus; }

CollectiveCost step_collective_cost(const StepInput& in, CollectiveKind kind, double bytes, int n,
                                    int per_node, double inter_bw) {
  const auto& node = in.cluster.node;
  const double intra = node.scale_up_bw;
  const double inter = inter_bw > 0 ? inter_bw : nic_share(node);
  TunerOptions tuner{std::nullopt, kFlowStepOverlapBytes, true, node.nic_extra_latency_s,
                     node.nvls && node.scale_up == ScaleUpKind::kNvSwitch};
  const std::optional<Algorithm> pinned = in.cluster.network.algorithm;
  if (in.profile && n > 1 && bytes > 0 && !pinned) {
    // A measured bus bandwidth of this collective over this many ranks and nodes replaces the
    // tuner's figure: its time holds the latency, so the flow carries none.
    const int nodes = (n + per_node - 1) / std::max(1, per_node);
    if (const auto busbw = in.profile->collective_busbw(kind, n, nodes, bytes)) {
      if (*busbw > 0) {
        CollectiveCost c = collective_cost(kind, bytes, n, per_node, intra, inter, tuner);
        c.seconds = c.bus_bytes / *busbw;
        c.latency_s = 0;
        c.rate_cap = *busbw;
        c.from_profile = true;
        return c;
      }
    }
  }
  if (!pinned || kind != CollectiveKind::kAllReduce || n <= 1 || bytes <= 0) {
    CollectiveCost c = collective_cost(kind, bytes, n, per_node, intra, inter, tuner);
    // NCCL's tuner also weighs NVLink SHARP for an all-reduce inside one node with NVSwitch
    // gen 3, as the flow model's lowering does (flow_lowering.cpp, choose).
    if (!pinned && kind == CollectiveKind::kAllReduce && n > 1 && bytes > 0 && per_node >= n &&
        node.nvls && node.scale_up == ScaleUpKind::kNvSwitch) {
      const CollectiveCost v = nvls_cost(bytes, n, intra);
      if (v.seconds < c.seconds) c = v;
    }
    return c;
  }
  switch (*pinned) {
    case Algorithm::kRing:
    case Algorithm::kTree:
      tuner.only = *pinned;
      return collective_cost(kind, bytes, n, per_node, intra, inter, tuner);
    case Algorithm::kNvls:
      if (per_node < n || !node.nvls || node.scale_up != ScaleUpKind::kNvSwitch) {
        throw TopologyError(fmt::format(
            "cluster.network.algorithm: nvls cannot run an all-reduce over {} ranks on {} "
            "node{} of '{}' (it needs one node with NVSwitch gen 3)",
            n, (n + per_node - 1) / per_node, per_node < n ? "s" : "", node.id));
      }
      return nvls_cost(bytes, n, intra);
    case Algorithm::kHierarchical: {
      // Reduce-scatter inside each node, all-reduce of bytes / p across the nodes (one rank per
      // node), all-gather inside each node: the three phases of the flow model's lowering.
      const int p = std::max(1, per_node);
      const int m = (n + p - 1) / p;
      TunerOptions ring = tuner;
      ring.only = Algorithm::kRing;
      CollectiveCost c;
      c.algorithm = Algorithm::kHierarchical;
      c.protocol = Protocol::kSimple;
      c.bus_bytes = bus_bytes(kind, bytes, n);
      auto add = [&](const CollectiveCost& part) {
        c.seconds += part.seconds;
        c.latency_s += part.latency_s;
      };
      if (p > 1)
        add(collective_cost(CollectiveKind::kReduceScatter, bytes, p, p, intra, inter, ring));
      if (m > 1) add(collective_cost(kind, bytes / p, m, 1, intra, inter, ring));
      if (p > 1) add(collective_cost(CollectiveKind::kAllGather, bytes, p, p, intra, inter, ring));
      const double transfer = c.seconds - c.latency_s;
      c.rate_cap = transfer > 0 ? c.bus_bytes / transfer : std::numeric_limits<double>::infinity();
      return c;
    }
    case Algorithm::kDirect:
      break;
  }
  return collective_cost(kind, bytes, n, per_node, intra, inter, tuner);
}

CollectiveCost group_collective_cost(const StepInput& in, CommGroup group, CollectiveKind kind,
                                     double bytes) {
  const GroupShape g = rank_layout(in).shape(rank_group(group));
  return step_collective_cost(in, kind, bytes, g.size, g.ranks_per_node(in.cluster.node.gpus));
}

namespace {

// The NIC ports a group's ranks on one node use, as the topology attaches GPUs to NICs
// (models/network/topology.cpp): with at least one NIC per GPU each GPU has its own port (its share
// of the NICs); otherwise GPU g uses NIC g x nics / gpus, so ranks of a strided group may share
// one. The group's first rank is taken at GPU 0 (every position has the same pattern).
int group_ports(const NodeSpec& node, long stride, int per_node) {
  if (node.nics >= node.gpus) return per_node;
  std::vector<char> used(static_cast<std::size_t>(std::max(1, node.nics)), 0);
  int ports = 0;
  for (int j = 0; j < per_node; ++j) {
    const long gpu = (j * stride) % node.gpus;
    const auto nic = static_cast<std::size_t>(gpu * node.nics / node.gpus);
    if (!used[nic]) {
      used[nic] = 1;
      ++ports;
    }
  }
  return ports;
}

// A collective of one of the data-parallel-like groups that cover every GPU of a node and run
// at once (the step issues the same collective on all of a stage's data-parallel groups, and
// the flow model lowers them together). Alone, a group has the NIC ports its ranks are attached
// to; its NCCL rate bound (protocol, pipelining fill) is the one it has then. Together the
// groups' bytes share the node's NICs (each GPU's share, nic_share): the transfer takes the
// longer of the two.
CollectiveCost concurrent_group_cost(const StepInput& in, CollectiveKind kind, double bytes,
                                     RankGroup group) {
  const auto& node = in.cluster.node;
  const GroupShape g = rank_layout(in).shape(group);
  const int per_node = g.ranks_per_node(node.gpus);
  if (per_node >= g.size || node.nics <= 0 || node.nic_bw <= 0 || node.gpus <= 0) {
    return step_collective_cost(in, kind, bytes, g.size, per_node);
  }
  const double port_rate =
      node.nics >= node.gpus ? node.nics * node.nic_bw / node.gpus : node.nic_bw;
  const double alone = group_ports(node, g.stride, per_node) * port_rate / per_node;
  CollectiveCost c = step_collective_cost(in, kind, bytes, g.size, per_node, alone);
  if (c.from_profile || c.seconds <= c.latency_s) return c;
  const double rate = nic_share(node) * per_node * simple_efficiency(LinkClass::kNetwork);
  const double transfer = std::max(c.seconds - c.latency_s, c.bus_bytes / rate);
  c.seconds = c.latency_s + transfer;
  c.rate_cap = transfer > 0 ? c.bus_bytes / transfer : c.rate_cap;
  return c;
}

}  // namespace

double group_link_rate(const StepInput& in, RankGroup group) {
  const auto& node = in.cluster.node;
  const GroupShape g = rank_layout(in).shape(group);
  const int per_node = g.ranks_per_node(node.gpus);
  if (per_node >= g.size) return node.scale_up_bw * simple_efficiency(LinkClass::kNvLink);
  return nic_share(node) * per_node * simple_efficiency(LinkClass::kNetwork);
}

CollectiveCost dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes) {
  return concurrent_group_cost(in, kind, bytes, RankGroup::kDp);
}

CollectiveCost replica_collective_cost(const StepInput& in, CollectiveKind kind, double bytes) {
  if (rank_layout(in).shape(RankGroup::kRep).size <= 1) return {};
  return concurrent_group_cost(in, kind, bytes, RankGroup::kRep);
}

int chunks_per_stage(const Strategy& s) {
  return s.schedule == Schedule::kInterleaved ? std::max(1, s.virtual_stages) : 1;
}

LayerRange chunk_layers(const TransformerConfig& m, const Strategy& s, int stage, int chunk) {
  const int chunks = s.pp * chunks_per_stage(s);
  const int base = m.layers / chunks;
  const int extra = m.layers % chunks;
  const int c = chunk * s.pp + stage;
  LayerRange r;
  r.first = c * base + std::min(c, extra);
  r.count = base + (c < extra ? 1 : 0);
  return r;
}

int stage_layer_count(const TransformerConfig& m, const Strategy& s, int stage) {
  int n = 0;
  for (int c = 0; c < chunks_per_stage(s); ++c) n += chunk_layers(m, s, stage, c).count;
  return n;
}

double step_tail_seconds(const StepInput& in, const ComputeModel& cm, double held,
                         double stage_params) {
  const auto& s = in.strategy;
  double t = cm.seconds(memory_op("grad_clip", 12.0 * held));
  if (s.zero < 2) {
    t += cm.seconds(memory_op("zero_grad", grad_bytes(in.training.precision) * stage_params));
  }
  if (in.training.precision == Precision::kFp8 && s.zero < 3) {
    t += cm.seconds(memory_op("fp8_weight_cast", kFp8CastBytes * stage_params));
  }
  return t;
}

double gather_bytes_per_param(const Training& t) {
  return t.fp8_all_gather ? 1.0 : param_bytes(t.precision);
}

LayerParams layer_trainable_per_gpu(const StepInput& in, int layer) {
  const Finetune& f = in.training.finetune;
  if (!f.frozen_base()) return layer_params_per_gpu(in, layer);
  return LayerParams{adapter_layer_parameters(in.model, f, in.strategy.tp), 0};
}

double embedding_trainable_per_gpu(const StepInput& in) {
  if (in.training.finetune.frozen_base()) return 0;
  return static_cast<double>(in.model.vocab) * static_cast<double>(in.model.hidden) /
         in.strategy.tp;
}

double stage_trainable_parameters(const StepInput& in, int stage) {
  const Finetune& f = in.training.finetune;
  if (!f.frozen_base()) return stage_parameters(in, stage);
  return adapter_layer_parameters(in.model, f, in.strategy.tp) *
         stage_layer_count(in.model, in.strategy, stage);
}

double trainable_grad_bytes(const Training& t) {
  return t.finetune.frozen_base() ? kAdapterGradBytes : grad_bytes(t.precision);
}

double trainable_param_bytes(const Training& t) {
  return t.finetune.frozen_base() ? kAdapterParamBytes : param_bytes(t.precision);
}

LayerParams layer_gather_bytes(const StepInput& in, int layer) {
  const LayerParams lp = layer_params_per_gpu(in, layer);
  const Finetune& f = in.training.finetune;
  const double per_param = gather_bytes_per_param(in.training);
  if (!f.frozen_base()) return LayerParams{lp.dense * per_param, lp.expert * per_param};
  const double linear = layer_linear_parameters(in.model) / in.strategy.tp;
  const double pbytes = param_bytes(in.training.precision);
  const double adapters = adapter_layer_parameters(in.model, f, in.strategy.tp);
  return LayerParams{
      frozen_weight_bits(f.base_bits) / 8.0 * linear + pbytes * (lp.dense - linear + adapters), 0};
}

CollectiveCost expert_dp_collective_cost(const StepInput& in, CollectiveKind kind, double bytes) {
  return concurrent_group_cost(in, kind, bytes, RankGroup::kEdp);
}

double pipeline_send_bytes(const StepInput& in) {
  const auto& s = in.strategy;
  return activation_bytes(in.training.precision) * s.micro_batch *
         static_cast<double>(in.model.seq_len) / s.cp * static_cast<double>(in.model.hidden) / s.tp;
}

double stage_expert_parameters(const StepInput& in, int stage) {
  const auto& s = in.strategy;
  double p = 0;
  if (!in.model.moe) return p;
  for (int c = 0; c < chunks_per_stage(s); ++c) {
    const LayerRange r = chunk_layers(in.model, s, stage, c);
    for (int l = 0; l < r.count; ++l) p += layer_params_per_gpu(in, r.first + l).expert;
  }
  return p;
}

double stage_parameters(const StepInput& in, int stage) {
  const auto& s = in.strategy;
  const auto& m = in.model;
  double p = 0;
  if (m.moe) {
    for (int c = 0; c < chunks_per_stage(s); ++c) {
      const LayerRange r = chunk_layers(m, s, stage, c);
      for (int l = 0; l < r.count; ++l) {
        const LayerParams lp = layer_params_per_gpu(in, r.first + l);
        p += lp.dense + lp.expert;
      }
    }
  } else {
    p = layer_parameters(m) / s.tp * stage_layer_count(m, s, stage);
  }
  const double embedding = static_cast<double>(m.vocab) * static_cast<double>(m.hidden) / s.tp;
  if (stage == 0) p += embedding;
  if (stage == s.pp - 1 && (!m.tied_embeddings || s.pp > 1)) p += embedding;
  return p;
}

}  // namespace cirrus::models
