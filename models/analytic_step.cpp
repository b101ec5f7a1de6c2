#include "models/analytic_step.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "common/units.hpp"
#include "models/memory.hpp"
#include "models/precision.hpp"
#include "models/step_costs.hpp"

namespace cirrus::models {
namespace {

struct Pass {
  double compute = 0;  // kernels
  double comm = 0;     // exposed TP/CP communication
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
    if (in.strategy.overlap.tp && i + 1 < segs.size() && !segs[i + 1].is_comm) {
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
    r.feasible = false;
    r.infeasible_reason = fmt::format("{} has no {} tensor cores", gpu.display,
                                      to_string(in.training.precision));
    return false;
  }
  const int stage = most_loaded_stage(in.model, in.training, in.strategy);
  const MemoryEstimate mem = estimate_memory(in.model, in.training, in.strategy, stage);
  r.memory.params = mem.params / kGiB;
  r.memory.grads = mem.grads / kGiB;
  r.memory.optimizer = mem.optimizer / kGiB;
  r.memory.activations = mem.activations / kGiB;
  r.memory.buffers = mem.buffers / kGiB;
  r.memory.total = mem.total / kGiB;
  if (mem.total > gpu.memory_bytes) {
    r.feasible = false;
    r.infeasible_reason =
        fmt::format("out of memory: pipeline stage {} needs {:.1f} GiB per GPU, the {} has {:.1f}",
                    stage, r.memory.total, gpu.display, r.memory.capacity);
    return false;
  }
  return true;
}

void fill_rates(const StepInput& in, double peak_flops, StepResult& r) {
  const double step = r.step_time_s;
  const double tokens_per_step =
      static_cast<double>(in.training.global_batch) * static_cast<double>(in.model.seq_len);
  r.tokens_per_s = tokens_per_step / step;
  const double model_flops =
      in.model.model_flops_per_sequence() * static_cast<double>(in.training.global_batch);
  r.model_tflops_per_gpu = model_flops / step / in.cluster.gpus() / 1e12;
  r.mfu = r.model_tflops_per_gpu * 1e12 / peak_flops;
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
  const ComputeModel cm(in.cluster.node.gpu, in.training.precision, in.profile.get());
  const StepPrograms progs = step_programs(in, cm);
  const int pp = s.pp;
  const int v = s.schedule == Schedule::kInterleaved ? std::max(1, s.virtual_stages) : 1;
  const double layers_per_stage = static_cast<double>(in.model.layers) / pp;
  const int m = micro_batches(in);

  const Pass fwd = price(in, progs.fwd);
  const Pass bwd = price(in, progs.bwd);
  const Pass rec = price(in, progs.rec);
  const Pass emb_f = price(in, progs.emb_f);
  const Pass emb_b = price(in, progs.emb_b);
  const Pass head_f = price(in, progs.head_f);
  const Pass head_b = price(in, progs.head_b);

  // Per micro-batch, per stage: forward + recomputation + backward of its layers, plus the
  // embedding on the first stage and the output layer on the last.
  const double layer_compute = fwd.compute + bwd.compute;
  const double layer_rec = rec.compute;
  const double layer_comm = fwd.comm + bwd.comm + rec.comm;
  const double body = layers_per_stage * (layer_compute + layer_rec + layer_comm);
  const double first = emb_f.compute + emb_b.compute + emb_f.comm + emb_b.comm;
  const double last = head_f.compute + head_b.compute + head_f.comm + head_b.comm;
  const double t_first = body + first + (pp == 1 ? last : 0.0);
  const double t_last = pp == 1 ? t_first : body + last;
  const double t_max = std::max(t_first, t_last);
  const double t_avg = pp == 1 ? t_first : body + (first + last) / pp;

  // Pipeline sends: each micro-batch crosses every stage boundary forward and back.
  double send = 0;
  if (pp > 1) {
    const bool local = stages_share_node(in, 0, 1);
    send = collective_cost(CollectiveKind::kSendRecv, pipeline_send_bytes(in), 2, local ? 2 : 1,
                           in.cluster.node.scale_up_bw, nic_share(in.cluster.node))
               .seconds;
  }
  const double steady_send = s.overlap.pp ? 0.0 : 2.0 * send;
  // The warm-up and cool-down of (p-1) stages, shortened v-fold by interleaving; the sends on
  // that path are paid once per boundary each way.
  const double bubble = (pp - 1) * t_avg / v;
  const double fill_send = pp > 1 ? 2.0 * (pp - 1) * send : 0.0;
  const double pipeline = m * (t_max + steady_send) + bubble + fill_send;

  // Data parallelism on the critical (first) stage.
  const int dp_n = dp_group_size(s);
  const double stage_params = stage_parameters(in, 0);
  const double gbytes = grad_bytes(in.training.precision);
  const double pbytes = param_bytes(in.training.precision);
  double dp_exposed = 0;
  if (dp_n > 1) {
    if (s.zero >= 3) {
      // Each layer's parameters are gathered before its forward and backward, and its
      // gradients reduce-scattered after; overlapped with the neighbouring layer's kernels.
      const double lp = layer_parameters(in.model) / s.tp;
      const double ag = dp_collective_cost(in, CollectiveKind::kAllGather, lp * pbytes).seconds;
      const double rs =
          dp_collective_cost(in, CollectiveKind::kReduceScatter, lp * gbytes).seconds;
      const double hide_f = s.overlap.dp ? fwd.compute : 0.0;
      const double hide_b = s.overlap.dp ? bwd.compute + rec.compute : 0.0;
      dp_exposed = m * layers_per_stage *
                   (std::max(0.0, ag - hide_f) + std::max(0.0, ag + rs - hide_b));
    } else {
      const auto kind = s.zero >= 1 ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce;
      const double sync = dp_collective_cost(in, kind, stage_params * gbytes).seconds;
      // Overlapped, the reduction runs behind the last micro-batch's backward pass, minus
      // the last layer's bucket which has nothing left to hide behind.
      const double hidden =
          s.overlap.dp ? layers_per_stage * (bwd.compute + rec.compute) *
                             std::max(0.0, 1.0 - 1.0 / std::max(1.0, layers_per_stage))
                       : 0.0;
      dp_exposed = std::max(sync / std::max(1.0, layers_per_stage), sync - hidden);
      if (!s.overlap.dp) dp_exposed = sync;
      if (s.zero >= 1) {
        dp_exposed += dp_collective_cost(in, CollectiveKind::kAllGather, stage_params * pbytes)
                          .seconds;
      }
    }
  }
  const double shard = s.zero >= 1 ? static_cast<double>(dp_n) : 1.0;
  const double per_param = in.training.optimizer == Optimizer::kAdam ? 30.0 : 22.0;
  const double optimizer = cm.seconds(memory_op("optimizer", stage_params / shard * per_param));

  r.step_time_s = pipeline + dp_exposed + optimizer;
  Breakdown& b = r.breakdown;
  b.compute = m * (layers_per_stage * layer_compute + (t_max - body));
  b.recompute = m * layers_per_stage * layer_rec;
  b.tp_comm = m * layers_per_stage * layer_comm;
  b.pp_comm = m * steady_send + fill_send;
  b.pp_bubble = pipeline - b.compute - b.recompute - b.tp_comm - b.pp_comm;
  b.dp_comm = dp_exposed;
  b.optimizer = optimizer;
  fill_rates(in, cm.peak(), r);
  // As simulate_step: kernels all from the profile, and no collectives (those are the tuner's).
  r.calibrated = cm.calibrated() && s.tp * s.pp * s.dp * s.cp == 1;
  return r;
}

}  // namespace cirrus::models
