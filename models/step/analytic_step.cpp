#include "models/step/analytic_step.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "common/units.hpp"
#include "models/hardware/precision.hpp"
#include "models/step/offload_capacity.hpp"
#include "models/step/offload_training.hpp"
#include "models/step/step_costs.hpp"
#include "models/workload/finetune.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/memory.hpp"

namespace cirrus::models {
namespace {

struct Pass {
  double compute = 0;                                  // kernels
  double comm = 0;                                     // exposed TP/CP communication
  double ep = 0;                                       // expert all-to-alls (never overlapped)
  double busy() const { return compute + comm + ep; }  // the compute stream's time
};

// A program's compute and exposed communication: without TP overlap every collective blocks;
// with it a collective hides behind the kernel that follows it.
Pass price(const StepInput& in, const std::vector<Segment>& segs) {
  Pass p;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    if (!s.is_comm) {
      p.compute += s.seconds;
      continue;
    }
    const double t = group_collective_cost(in, s.group, s.collective, s.bytes).seconds;
    if (s.group == CommGroup::kEp) {
      p.ep += t;
    } else if (s.overlap && i + 1 < segs.size() && !segs[i + 1].is_comm) {
      p.comm += std::max(0.0, t - segs[i + 1].seconds);
    } else {
      p.comm += t;
    }
  }
  return p;
}

}  // namespace

bool check_feasible(const StepInput& in, StepResult& r) {
  const auto& gpu = in.cluster.node.gpu;
  r.memory.capacity = gpu.memory_bytes / kGiB;
  if (!gpu.supports(in.training.precision)) {
    return r.refuse(
        Infeasibility::kPrecisionUnsupported,
        fmt::format("{} has no {} tensor cores", gpu.display, to_string(in.training.precision)));
  }
  const Finetune& ft = in.training.finetune;
  if (ft.frozen_base()) {
    FinetuneSummary f;
    f.method = to_string(ft.method);
    f.preset = ft.preset;
    f.rank = ft.rank;
    f.targets = targets_text(ft.targets);
    f.base_bits = ft.base_bits;
    f.frozen_bits_per_param = frozen_weight_bits(ft.base_bits);
    f.trainable_params = adapter_parameters(in.model, ft);
    f.frozen_params = in.model.parameters();
    r.finetune = f;
  }
  int stage = 0;
  const MemoryEstimate mem = peak_memory(in.model, in.training, in.strategy, &stage);
  r.memory.frozen = mem.frozen / kGiB;
  r.memory.trainable = ft.frozen_base() ? mem.trainable / kGiB : 0.0;
  r.memory.params = mem.params / kGiB;
  r.memory.grads = mem.grads / kGiB;
  r.memory.optimizer = mem.optimizer / kGiB;
  r.memory.activations = mem.activations / kGiB;
  r.memory.buffers = mem.buffers / kGiB;
  r.memory.total = mem.total / kGiB;
  r.memory.reserved = mem.allocator() / kGiB;
  if (mem.total > gpu.memory_bytes) {
    return r.refuse(
        Infeasibility::kOutOfMemory,
        fmt::format("out of memory: pipeline stage {} needs {:.1f} GiB per GPU, the {} has {:.1f}",
                    stage, r.memory.total, gpu.display, r.memory.capacity));
  }
  return check_offload_capacity(in, r);  // host memory / NVMe of offloaded states
}

void fill_rates(const StepInput& in, double peak_flops, StepResult& r) {
  const double step = r.step_time_s;
  const double tokens_per_step =
      static_cast<double>(in.training.global_batch) * static_cast<double>(in.model.seq_len);
  r.tokens_per_s = tokens_per_step / step;
  // The model FLOPs the step executes (finetune.hpp): 3 x forward under full training; with
  // frozen base weights no weight-gradient GEMMs, plus the adapters'.
  const double model_flops = finetune_flops_per_sequence(in.model, in.training.finetune) *
                             static_cast<double>(in.training.global_batch);
  r.model_tflops_per_gpu = model_flops / step / in.cluster.gpus() / 1e12;
  r.mfu = r.model_tflops_per_gpu * 1e12 / peak_flops;
  if (in.model.moe) {
    const RoutingLoad load = routing_load(*in.model.moe, in.strategy.ep);
    MoeStats moe;
    moe.all_to_all_s = r.breakdown.ep_comm;
    moe.straggler_factor = load.straggler;
    moe.hottest_expert = load.hottest_expert;
    moe.dropped_token_fraction = load.dropped_fraction;
    r.moe = moe;
  }
  if (in.training.tokens > 0) {
    RunTotals run;
    run.tokens = in.training.tokens;
    run.steps = std::ceil(in.training.tokens / tokens_per_step);
    run.days = run.steps * step / kSecondsPerDay;
    r.run = run;
  }
}

StepResult analytic_step(const StepInput& in) {
  StepResult r;
  if (!check_feasible(in, r)) return r;
  const auto& s = in.strategy;
  const RankLayout layout = rank_layout(in);
  const ComputeModel cm(in.cluster.node.gpu, in.training.precision, in.profile.get());
  const StepPrograms progs = step_programs(in, cm);
  const int pp = s.pp;
  const int v = s.schedule == Schedule::kInterleaved ? std::max(1, s.virtual_stages) : 1;
  const int m = micro_batches(in);

  const Pass fwd = price(in, progs.fwd);
  const Pass bwd = price(in, progs.bwd);
  // Recomputation runs on recompute_share of the layers (all of them except under torchtitan's
  // layer policy); its passes are scaled by it.
  const double share = recompute_share(s);
  Pass rec = price(in, progs.rec);
  rec.compute *= share;
  rec.comm *= share;
  rec.ep *= share;
  const Pass emb_f = price(in, progs.emb_f);
  const Pass emb_b = price(in, progs.emb_b);
  const Pass head_f = price(in, progs.head_f);
  const Pass head_b = price(in, progs.head_b);
  const Pass moe_fwd = price(in, progs.moe_fwd);
  const Pass moe_bwd = price(in, progs.moe_bwd);
  Pass moe_rec = price(in, progs.moe_rec);
  moe_rec.compute *= share;
  moe_rec.comm *= share;
  moe_rec.ep *= share;
  // Each stage's dense and MoE layers (uneven splits: the first chunks hold one more layer).
  struct StageLayers {
    double dense = 0, moe = 0;
  };
  auto stage_counts = [&](int st) {
    StageLayers c;
    for (int ch = 0; ch < v; ++ch) {
      const LayerRange lr = chunk_layers(in.model, s, st, ch);
      if (!in.model.moe) {
        c.dense += lr.count;
        continue;
      }
      for (int l = 0; l < lr.count; ++l) {
        (in.model.is_moe_layer(lr.first + l) ? c.moe : c.dense) += 1.0;
      }
    }
    return c;
  };
  // Per micro-batch, per stage: forward + recomputation + backward of its layers, plus the
  // embedding on the first stage and the output layer on the last.
  struct StageTime {
    double compute = 0, rec = 0, comm = 0, ep = 0;
    double body() const { return compute + rec + comm + ep; }
  };
  auto stage_time = [&](const StageLayers& c) {
    StageTime t;
    t.compute = c.dense * (fwd.compute + bwd.compute) + c.moe * (moe_fwd.compute + moe_bwd.compute);
    t.rec = c.dense * rec.compute + c.moe * moe_rec.compute;
    t.comm = c.dense * (fwd.comm + bwd.comm + rec.comm) +
             c.moe * (moe_fwd.comm + moe_bwd.comm + moe_rec.comm);
    t.ep = c.moe * (moe_fwd.ep + moe_bwd.ep + moe_rec.ep);
    return t;
  };
  const double first = emb_f.compute + emb_b.compute + emb_f.comm + emb_b.comm;
  const double last = head_f.compute + head_b.compute + head_f.comm + head_b.comm;
  // The slowest stage paces the pipeline; the bubble is the average stage's. Stages with the
  // same layers take the same time, so only stages whose layer counts differ are priced.
  StageTime crit;
  double t_max = -1, t_sum = 0;
  const StageLayers first_counts = stage_counts(0);
  for (int st = 0; st < pp; ++st) {
    const StageLayers c = st == 0 ? first_counts : stage_counts(st);
    const StageTime t = stage_time(c);
    const double total = t.body() + (st == 0 ? first : 0.0) + (st == pp - 1 ? last : 0.0);
    t_sum += total;
    if (total > t_max) {
      t_max = total;
      crit = t;
    }
  }
  const double t_avg = t_sum / pp;
  const double layer_compute = crit.compute;
  const double layer_rec = crit.rec;
  const double layer_comm = crit.comm;
  const double layer_ep = crit.ep;
  const double body = crit.body();
  // Data parallelism and offload are priced on the first stage (it holds the most layers).
  const double dense_layers = first_counts.dense;
  const double moe_layers = first_counts.moe;
  const double layers_per_stage = dense_layers + moe_layers;

  // Pipeline sends: each micro-batch crosses every stage boundary forward and back.
  double send = 0;
  if (pp > 1) {
    const bool local = layout.stages_share_node(0, 1);
    // As the engine's stage-wide sends: the flow model's tuner options (EFA latency included),
    // never a profile's curve.
    const auto& node = in.cluster.node;
    const TunerOptions tuner{std::nullopt, kFlowStepOverlapBytes, true, node.nic_extra_latency_s,
                             node.nvls && node.scale_up == ScaleUpKind::kNvSwitch};
    send = collective_cost(CollectiveKind::kSendRecv, pipeline_send_bytes(in), 2, local ? 2 : 1,
                           node.scale_up_bw, nic_share(node), tuner)
               .seconds;
  }
  const double steady_send = s.overlap.pp ? 0.0 : 2.0 * send;
  // The warm-up and cool-down of (p-1) stages, shortened v-fold by interleaving; the sends on
  // that path are paid once per boundary each way.
  // With uneven chunks the fill and drain run at the pace of the largest one.
  const double largest_chunk =
      static_cast<double>(chunk_layers(in.model, s, 0, 0).count) / std::max(1.0, layers_per_stage);
  const double bubble = (pp - 1) * t_avg * (v > 1 ? largest_chunk : 1.0);
  // The first micro-batch crosses every chunk boundary, v x pp - 1 of them, before the first
  // backward can start, and its gradient as many on the way back.
  const double fill_send = pp > 1 ? 2.0 * (v * pp - 1) * send : 0.0;
  const double pipeline = m * (t_max + steady_send) + bubble + fill_send;

  // Data parallelism on the critical (first) stage.
  const int dp_n = layout.data_parallel_size();
  // What trains (every parameter, or LoRA's adapters: step_costs.hpp) is what is reduced and
  // updated.
  const double stage_params = stage_trainable_parameters(in, 0);
  const double stage_expert = stage_expert_parameters(in, 0);  // 0 with a frozen base
  const double stage_dense = stage_params - stage_expert;
  const GroupShape edp = layout.shape(RankGroup::kEdp);
  // A data-parallel collective of `dense` + `expert` parameters' bytes: the dense part over
  // dp x cp, the expert part over the expert-data-parallel group, one after the other.
  // Under HSDP a gradient reduce-scatter over the shard group is followed by an all-reduce of
  // the reduced shard across the replicas (as the step builder's dp_flows).
  const int shard = layout.shape(RankGroup::kDp).size;
  // Collectives one after the other on one stream: their times add; `latency` is the part of it
  // that moves no bytes.
  struct Timed {
    double seconds = 0, latency = 0;
    double link = 0;  // the bytes' time at the saturated links' rate
    void add(const CollectiveCost& c, RankGroup g) {
      seconds += c.seconds;
      latency += c.latency_s;
      link += c.bus_bytes / group_link_rate(in_ref(), g);
    }
    const StepInput* input = nullptr;
    const StepInput& in_ref() const { return *input; }
  };
  auto dp_timed = [&](CollectiveKind kind, double dense, double expert) {
    Timed t;
    t.input = &in;
    if (shard > 1) t.add(dp_collective_cost(in, kind, dense), RankGroup::kDp);
    if (kind != CollectiveKind::kAllGather && layout.shape(RankGroup::kRep).size > 1) {
      t.add(replica_collective_cost(in, CollectiveKind::kAllReduce, dense / shard),
            RankGroup::kRep);
    }
    if (expert > 0 && edp.size > 1) {
      t.add(expert_dp_collective_cost(in, kind, expert), RankGroup::kEdp);
    }
    return t;
  };
  auto dp_cost = [&](CollectiveKind kind, double dense, double expert) {
    return dp_timed(kind, dense, expert).seconds;
  };
  const double gbytes = trainable_grad_bytes(in.training);
  const double pbytes = trainable_param_bytes(in.training);
  // A dense layer's trainable parameters and its ZeRO-3 gather bytes on one GPU.
  int first_dense = 0;
  while (first_dense + 1 < in.model.layers && in.model.is_moe_layer(first_dense)) ++first_dense;
  const double dense_trainable = layer_trainable_per_gpu(in, first_dense).dense;
  const double dense_gather = layer_gather_bytes(in, first_dense).dense;
  const double gather_bytes = gather_bytes_per_param(in.training);
  // The first stage's last backward passes, chunk by chunk (Megatron's interleaved order runs a
  // chunk's last pp micro-batches before the next chunk's; without interleaving there is one
  // chunk): a bucket per layer is queued on the data-parallel stream as the layer's backward
  // completes, the output embedding's first when the stage holds it, the input embedding's
  // last. Returns how long the queue outlasts the kernels.
  auto bucket_tail = [&](double dense_bucket, double moe_bucket, double head_bucket,
                         double emb_bucket, double b_dense, double b_moe) {
    double t = 0, queue = 0;
    if (head_bucket > 0) {
      t += head_b.busy();
      queue = t + head_bucket;
    }
    for (int c = v - 1; c >= 0; --c) {
      const LayerRange lr = chunk_layers(in.model, s, 0, c);
      double chunk = 0;
      for (int l = 0; l < lr.count; ++l)
        chunk += in.model.is_moe_layer(lr.first + l) ? b_moe : b_dense;
      if (c != v - 1) t += (pp - 1) * chunk;
      for (int l = lr.count - 1; l >= 0; --l) {
        const bool moe = in.model.is_moe_layer(lr.first + l);
        t += moe ? b_moe : b_dense;
        queue = std::max(queue, t) + (moe ? moe_bucket : dense_bucket);
      }
    }
    t += emb_b.busy();
    queue = std::max(queue, t) + emb_bucket;
    return std::max(0.0, queue - t);
  };
  double dp_exposed = 0;
  if (dp_n > 1) {
    if (s.zero >= 3) {
      // Each layer's parameters are gathered (gather stream, one layer ahead) and its
      // gradients reduce-scattered (data-parallel stream) around its kernels; the step builder
      // says when (step_builder.cpp): without a pipeline, every micro-batch gathers each layer
      // for its forward and again for its backward and reduces its gradients; under a pipeline a
      // layer is gathered at its chunk's first forward and reduced at its last backward.
      const Timed ag = dp_timed(CollectiveKind::kAllGather, dense_gather, 0);
      const Timed rs = dp_timed(CollectiveKind::kReduceScatter, dense_trainable * gbytes, 0);
      // A layer's time on the compute stream (kernels and the TP/CP/EP collectives it waits
      // for, which use other links) is what its data-parallel traffic can hide behind.
      const double hide_f = s.overlap.dp ? fwd.busy() : 0.0;
      const double hide_b = s.overlap.dp ? bwd.busy() + rec.busy() : 0.0;
      Timed mag, mrs;
      double mhide_f = 0, mhide_b = 0;
      if (moe_layers > 0) {
        // One MoE layer of the stage (the first one) stands for all of them.
        int first_moe = 0;
        while (!in.model.is_moe_layer(first_moe)) ++first_moe;
        const LayerParams mp = layer_params_per_gpu(in, first_moe);
        mag =
            dp_timed(CollectiveKind::kAllGather, mp.dense * gather_bytes, mp.expert * gather_bytes);
        mrs = dp_timed(CollectiveKind::kReduceScatter, mp.dense * gbytes, mp.expert * gbytes);
        mhide_f = s.overlap.dp ? moe_fwd.busy() : 0.0;
        mhide_b = s.overlap.dp ? moe_bwd.busy() + moe_rec.busy() : 0.0;
      }
      // The embeddings' gradients are reduced last, with nothing left to hide behind.
      const double vocab_rows = embedding_trainable_per_gpu(in);  // 0 when frozen
      const double embedding =
          vocab_rows > 0 ? dp_cost(CollectiveKind::kReduceScatter, vocab_rows * gbytes, 0) : 0.0;
      if (pp == 1) {
        // The gather stream runs one layer ahead, so a layer's forward takes the longer of its
        // kernels and its gather, and so does its backward (the next layer's gather). The
        // reduce-scatters (data-parallel stream) never hold the kernels up: they use what the
        // gathers leave of the links in both passes, and only what does not fit (or what their
        // own stream cannot keep up with) lengthens the step. The last reduce-scatters of the
        // last micro-batch have nothing to hide behind.
        struct Excess {
          double total = 0;  // the layer's time beyond its kernels
          double extra = 0;  // of it, reduce-scatter time that fit nowhere else
        };
        auto layer_excess = [&](const Timed& g, const Timed& red, double f, double b) {
          const double tf = std::max(f, g.seconds);
          const double tb = std::max(b, g.seconds);
          const double slack = std::max(0.0, tf - g.link) + std::max(0.0, tb - g.link);
          const double extra = std::max({0.0, red.link - slack, red.seconds - (tf + tb)});
          return Excess{tf + tb + extra - f - b, extra};
        };
        const Excess de = layer_excess(ag, rs, hide_f, hide_b);
        const Excess me = layer_excess(mag, mrs, mhide_f, mhide_b);
        // The last micro-batch's reduce-scatters queue behind its backward layers, each as long
        // as its kernels or its gather, with no next forward to spill into; what the steady
        // state already lengthened the step by for it (`extra`) is not counted twice.
        const double queue =
            bucket_tail(rs.seconds, mrs.seconds, 0.0, embedding, std::max(hide_b, ag.seconds),
                        std::max(mhide_b, mag.seconds));
        const double final_rs = (moe_layers > 0 ? mrs.seconds : rs.seconds) + embedding;
        dp_exposed = m * (dense_layers * de.total + moe_layers * me.total) +
                     std::max(final_rs, queue - dense_layers * de.extra - moe_layers * me.extra);
      } else {
        // Each stage's first forward of each chunk waits for gathers that outrun its layers, on
        // the fill's critical path through every stage and chunk (the first layer's gather is
        // prefetched before the input arrives); the first stage's last backward passes queue
        // their reduce-scatters and the last ones are exposed.
        const double per_chunk = layers_per_stage / v;
        const double gathered = std::max(0.0, per_chunk - 1.0) / std::max(1.0, per_chunk);
        const double fill = pp * gathered *
                            (dense_layers * std::max(0.0, ag.seconds - hide_f) +
                             moe_layers * std::max(0.0, mag.seconds - mhide_f));
        dp_exposed = fill + bucket_tail(rs.seconds, mrs.seconds, 0.0, embedding, hide_b, mhide_b);
      }
    } else {
      const auto kind = s.zero >= 1 ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce;
      if (!s.overlap.dp) {
        dp_exposed = dp_cost(kind, stage_dense * gbytes, stage_expert * gbytes);
      } else {
        // Overlapped, the last micro-batch's backward launches a bucket per layer as it
        // completes (the output embedding's first, the input embedding's last on the first
        // stage), one after the other on the data-parallel stream: they hide behind the rest
        // of that backward pass, except the last bucket, which has nothing left to hide behind.
        const double dense_bucket = dp_cost(kind, dense_trainable * gbytes, 0);
        double moe_bucket = 0;
        if (moe_layers > 0) {
          int first_moe = 0;
          while (!in.model.is_moe_layer(first_moe)) ++first_moe;
          const LayerParams mp = layer_params_per_gpu(in, first_moe);
          moe_bucket = dp_cost(kind, mp.dense * gbytes, mp.expert * gbytes);
        }
        const double vocab_rows = embedding_trainable_per_gpu(in);  // 0 when frozen
        const double embedding = vocab_rows > 0 ? dp_cost(kind, vocab_rows * gbytes, 0) : 0.0;
        const bool head_here = pp == 1 && !in.model.tied_embeddings;
        dp_exposed = bucket_tail(dense_bucket, moe_bucket, head_here ? embedding : 0.0, embedding,
                                 bwd.busy() + rec.busy(), moe_bwd.busy() + moe_rec.busy());
      }
      if (s.zero >= 1) {
        dp_exposed +=
            dp_cost(CollectiveKind::kAllGather, stage_dense * pbytes, stage_expert * pbytes);
      }
    }
  }
  const double held =
      s.zero >= 1 ? stage_dense / shard + stage_expert / std::max(1, edp.size) : stage_params;
  const double per_param = in.training.optimizer == Optimizer::kAdam ? 30.0 : 22.0;
  const double optimizer = cm.seconds(memory_op("optimizer", held * per_param)) +
                           step_tail_seconds(in, cm, held, stage_params);

  // Hierarchical storage (strategy.offload): the closed-form overlay of offload_training.hpp.
  const OffloadOverlay off = offload_overlay(
      in, 0, (dense_layers * fwd.compute + moe_layers * moe_fwd.compute) / layers_per_stage,
      (dense_layers * (bwd.compute + rec.compute) +
       moe_layers * (moe_bwd.compute + moe_rec.compute)) /
          layers_per_stage,
      m, held);
  const double optimizer_s = s.offload.optimizer_offloaded() ? off.optimizer_s : optimizer;

  r.step_time_s = pipeline + dp_exposed + optimizer_s + off.exposed_s;
  Breakdown& b = r.breakdown;
  b.compute = m * (layer_compute + (t_max - body));
  b.recompute = m * layer_rec;
  b.tp_comm = m * layer_comm;
  b.ep_comm = m * layer_ep;
  b.pp_comm = m * steady_send + fill_send;
  b.pp_bubble = pipeline - b.compute - b.recompute - b.tp_comm - b.ep_comm - b.pp_comm;
  b.dp_comm = dp_exposed;
  b.optimizer = optimizer_s;
  b.offload = off.exposed_s;
  if (s.offload.any()) r.offload = OffloadSummary{off.transfer_s, off.exposed_s, 0, 0};
  fill_rates(in, cm.peak(), r);
  // As simulate_step: kernels all from the profile, and no collectives (those are the tuner's).
  r.calibrated = cm.calibrated() && s.tp * s.pp * s.dp * s.cp == 1;
  r.calibration = calibration_of(in.profile.get());
  return r;
}

}  // namespace cirrus::models
