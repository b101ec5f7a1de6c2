#include "models/step/step_builder.hpp"

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <stdexcept>

#include "models/hardware/precision.hpp"
#include "models/network/collectives.hpp"
#include "models/step/analytic_comm.hpp"
#include "models/step/comm_backend.hpp"
#include "models/step/offload_training.hpp"
#include "models/step/rank_layout.hpp"
#include "models/step/step_costs.hpp"
#include "models/workload/layer_program.hpp"
#include "models/workload/pipeline_schedule.hpp"

namespace cirrus::models {
namespace {

using sim::StreamId;
using sim::TaskId;
using sim::Time;

constexpr TaskId kNone = sim::kNoTask;

struct Builder {
  const StepInput& in;
  const ComputeModel& cm;
  const RankLayout& layout;
  StepGraph& out;
  CommBackend& comm;
  int pp, v, mbs;
  std::vector<Segment> fwd, bwd, rec, emb_f, emb_b, head_f, head_b;
  std::vector<Segment> moe_fwd, moe_bwd, moe_rec;
  // Per stage streams (the communication back-end holds the resources).
  struct StageIo {
    StreamId compute, tp, send_fwd, send_bwd, dp;
    StreamId gather;  // ZeRO-3 parameter all-gathers (FSDP's all-gather stream)
  };
  std::vector<StageIo> io;
  // Forward passes emitted so far per (stage, chunk): ZeRO-3 under a pipeline gathers a chunk's
  // parameters at its first forward only.
  std::vector<int> forward_seen;
  // Last task of each (stage, chunk, micro-batch, direction) for pipeline dependencies.
  std::vector<TaskId> fwd_done, bwd_done;
  // Hierarchical storage (strategy.offload): transfers, gradient copies, CPU optimizer.
  OffloadTasks offload;

  Builder(const StepInput& input, const ComputeModel& compute, const RankLayout& ranks,
          StepGraph& graph, CommBackend& backend)
      : in(input), cm(compute), layout(ranks), out(graph), comm(backend), offload(input, out) {
    const auto& s = in.strategy;
    pp = s.pp;
    v = s.schedule == Schedule::kInterleaved ? std::max(1, s.virtual_stages) : 1;
    mbs = micro_batches(in);
    StepPrograms progs = step_programs(in, cm);
    fwd = std::move(progs.fwd);
    bwd = std::move(progs.bwd);
    rec = std::move(progs.rec);
    moe_fwd = std::move(progs.moe_fwd);
    moe_bwd = std::move(progs.moe_bwd);
    moe_rec = std::move(progs.moe_rec);
    emb_f = std::move(progs.emb_f);
    emb_b = std::move(progs.emb_b);
    head_f = std::move(progs.head_f);
    head_b = std::move(progs.head_b);
  }

  void make_stage_io() {
    for (int st = 0; st < pp; ++st) {
      StageIo x{};
      auto& g = out.graph;
      comm.add_stage(st);
      x.compute = g.add_stream();
      x.tp = g.add_stream();
      x.send_fwd = g.add_stream();
      x.send_bwd = g.add_stream();
      x.dp = g.add_stream();
      x.gather = g.add_stream();
      io.push_back(x);
      out.compute_stream.push_back(x.compute);
      offload.add_stage(st);
    }
  }

  // Joins `preds` (kNone skipped) into the one task a collective may wait for.
  TaskId gate(std::initializer_list<TaskId> preds, std::uint16_t tag, int st) {
    TaskId only = kNone;
    int count = 0;
    for (const TaskId p : preds) {
      if (p == kNone) continue;
      only = p;
      ++count;
    }
    if (count <= 1) return only;
    const TaskId j =
        out.graph.add_delay(sim::kNoStream, Time::zero(), tag, static_cast<std::uint32_t>(st));
    for (const TaskId p : preds) {
      if (p != kNone) out.graph.add_edge(p, j);
    }
    return j;
  }

  // The one entry point for a collective of stage `st`'s group `group`: it starts after every
  // task of `preds` and `stream`'s previous task; returns the task on `stream` that ends with
  // it. Every task it adds carries `tag` and label `st`.
  TaskId collective(int st, StreamId stream, CollectiveKind kind, double bytes, RankGroup group,
                    std::uint16_t tag, std::initializer_list<TaskId> preds) {
    return comm.collective(st, stream, kind, bytes, group, tag, gate(preds, tag, st));
  }

  // Appends segments to stage `st`'s compute stream; returns the last compute-stream task.
  // With TP overlap a collective runs on the TP stream beside the next kernel, and the kernel
  // after that waits for it (the pattern of Megatron's overlapped all-gather/reduce-scatter).
  // An overlapped collective (Segment::overlap) runs on the TP stream beside the compute
  // segment that follows it, and the compute segment after that one waits for it: it hides
  // behind exactly one segment, as analytic_step prices it. Collectives in flight are tracked
  // with the compute segments they have had beside them.
  TaskId emit(int st, const std::vector<Segment>& segs, std::uint16_t compute_tag, TaskId after) {
    const auto& x = io[static_cast<std::size_t>(st)];
    auto& g = out.graph;
    TaskId last = kNone;
    struct InFlight {
      TaskId task;
      int age;  // compute segments issued since it started
    };
    std::vector<InFlight> pending;
    auto depend_first = [&](TaskId t) {
      if (after != kNone) {
        g.add_edge(after, t);
        after = kNone;
      }
    };
    for (const auto& seg : segs) {
      if (!seg.is_comm) {
        const TaskId t = g.add_delay(x.compute, Time::from_seconds(seg.seconds), compute_tag,
                                     static_cast<std::uint32_t>(st));
        depend_first(t);
        std::size_t kept = 0;
        for (auto& p : pending) {
          if (++p.age >= 2) {
            g.add_edge(p.task, t);
          } else {
            pending[kept++] = p;
          }
        }
        pending.resize(kept);
        last = t;
        continue;
      }
      const RankGroup group = rank_group(seg.group);
      const std::uint16_t tag = seg.group == CommGroup::kTp   ? kTagTpComm
                                : seg.group == CommGroup::kCp ? kTagCpComm
                                                              : kTagEpComm;
      // Expert all-to-alls block the compute stream: the experts need the dispatched tokens
      // and the next layer their combined output (Megatron-Core's default, no overlap). A TP
      // collective still in flight must land before an all-to-all starts.
      const bool overlap = seg.overlap && seg.group != CommGroup::kEp;
      const StreamId stream = overlap ? x.tp : x.compute;
      const TaskId newest = pending.empty() ? kNone : pending.back().task;
      const TaskId c =
          overlap
              ? collective(st, stream, seg.collective, seg.bytes, group, tag, {after, last, newest})
              : collective(st, stream, seg.collective, seg.bytes, group, tag, {after, newest});
      after = kNone;
      if (overlap) {
        pending.push_back({c, 0});
      } else {
        // It started after the newest, and the stream's order puts the older ones before it.
        pending.clear();
        last = c;
      }
    }
    if (!pending.empty()) {
      // Nothing left to hide the collectives behind: a zero-length join keeps the order.
      const TaskId j =
          g.add_delay(x.compute, Time::zero(), compute_tag, static_cast<std::uint32_t>(st));
      for (const auto& p : pending) g.add_edge(p.task, j);
      last = j;
    }
    return last;
  }

  std::size_t key(int st, int chunk, int mb) const {
    return (static_cast<std::size_t>(st) * static_cast<std::size_t>(v) +
            static_cast<std::size_t>(chunk)) *
               static_cast<std::size_t>(mbs) +
           static_cast<std::size_t>(mb);
  }

  void build() {
    const auto& s = in.strategy;
    make_stage_io();
    const std::size_t slots =
        static_cast<std::size_t>(pp) * static_cast<std::size_t>(v) * static_cast<std::size_t>(mbs);
    fwd_done.assign(slots, kNone);
    bwd_done.assign(slots, kNone);
    const int dp_n = layout.data_parallel_size();
    // Gradients and updated parameters of what trains (every parameter, or LoRA's adapters).
    const double gbytes = trainable_grad_bytes(in.training);
    const double pbytes = trainable_param_bytes(in.training);

    // Build stage by stage in pipeline order so every cross-stage producer exists before its
    // consumer: forward inputs come from the previous stage, backward from the next, so
    // emit forwards and backwards in one global order — the schedules are deadlock-free, so
    // a round-robin over stages' step lists always makes progress.
    std::vector<std::vector<PipelineStep>> orders;
    orders.reserve(static_cast<std::size_t>(pp));
    for (int st = 0; st < pp; ++st) orders.push_back(pipeline_order(s.schedule, pp, st, mbs, v));
    std::vector<std::size_t> cursor(static_cast<std::size_t>(pp), 0);
    std::vector<TaskId> last_compute(static_cast<std::size_t>(pp), kNone);
    std::vector<TaskId> last_grad_sync(static_cast<std::size_t>(pp), kNone);
    const std::size_t stage_chunks = static_cast<std::size_t>(pp) * static_cast<std::size_t>(v);
    std::vector<int> backward_seen(stage_chunks, 0);
    forward_seen.assign(stage_chunks, 0);

    bool progress = true;
    std::size_t remaining = 0;
    for (const auto& o : orders) remaining += o.size();
    while (remaining > 0 && progress) {
      progress = false;
      for (int st = 0; st < pp; ++st) {
        auto& cur = cursor[static_cast<std::size_t>(st)];
        const auto& order = orders[static_cast<std::size_t>(st)];
        while (cur < order.size()) {
          const PipelineStep step = order[cur];
          // Find the producer of this step's input.
          TaskId input = kNone;
          bool ready = true;
          if (!step.backward) {
            if (st > 0) {
              input = fwd_done[key(st - 1, step.chunk, step.micro_batch)];
              ready = input != kNone;
            } else if (step.chunk > 0) {
              input = fwd_done[key(pp - 1, step.chunk - 1, step.micro_batch)];
              ready = input != kNone;
            }
          } else {
            if (st < pp - 1) {
              input = bwd_done[key(st + 1, step.chunk, step.micro_batch)];
              ready = input != kNone;
            } else if (step.chunk < v - 1) {
              input = bwd_done[key(0, step.chunk + 1, step.micro_batch)];
              ready = input != kNone;
            }
          }
          if (!ready) break;
          emit_step(st, step, input, last_compute, last_grad_sync, backward_seen, dp_n, gbytes);
          ++cur;
          --remaining;
          progress = true;
        }
      }
    }
    if (remaining > 0) throw std::logic_error("pipeline schedule deadlocked while building");

    // Gradient reduction (when not overlapped), optimizer, parameter all-gather.
    for (int st = 0; st < pp; ++st) {
      const auto& x = io[static_cast<std::size_t>(st)];
      auto& g = out.graph;
      const double params = stage_trainable_parameters(in, st);
      const double expert = stage_expert_parameters(in, st);  // 0 with a frozen base (no MoE)
      const double dense = params - expert;
      const GroupShape edp = layout.shape(RankGroup::kEdp);
      TaskId sync = last_grad_sync[static_cast<std::size_t>(st)];
      if (dp_n > 1 && (!s.overlap.dp || s.zero >= 3) && s.zero < 3) {
        // Expert gradients reduce over the ranks holding the same experts, after the rest.
        const auto kind = s.zero >= 1 ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce;
        sync = dp_flows(st, kind, dense * gbytes, expert * gbytes,
                        last_compute[static_cast<std::size_t>(st)]);
      }
      // Fused Adam reads master weights, gradient and both moments and writes three of them
      // back plus the 16-bit copy: 4 x 4 read + 3 x 4 + 2 written = 30 bytes per parameter
      // held (SGD with momentum: 4 x 3 read + 2 x 4 + 2 written = 22). ZeRO shards dense
      // parameters over dp x cp and expert parameters over dp x cp / ep.
      const double held =
          s.zero >= 1 ? dense / s.shard_group() + expert / std::max(1, edp.size) : params;
      const double per_param = in.training.optimizer == Optimizer::kAdam ? 30.0 : 22.0;
      TaskId opt = kNone;
      if (s.offload.optimizer_offloaded()) {
        opt = offload.optimizer(st, sync, held);  // CPU optimizer on the offloaded states
      } else {
        opt = g.add_delay(x.compute,
                          Time::from_seconds(cm.seconds(memory_op("optimizer", held * per_param)) +
                                             step_tail_seconds(in, cm, held, params)),
                          kTagOptimizer, static_cast<std::uint32_t>(st));
        if (sync != kNone) g.add_edge(sync, opt);
      }
      if (dp_n > 1 && s.zero >= 1 && s.zero < 3) {
        // The distributed optimizer all-gathers the updated 16-bit parameters.
        dp_flows(st, CollectiveKind::kAllGather, dense * pbytes, expert * pbytes, opt);
      }
    }
  }

  // A data-parallel collective of `dense` + `expert` bytes on stage `st`'s data-parallel stream,
  // after `pred`: the dense part over the ZeRO shard group, then (a gradient reduce-scatter
  // under HSDP) an all-reduce of the reduced shard across the replica group, then the expert
  // part over the expert-data-parallel group. Returns the last flow (`pred` when nothing runs).
  TaskId dp_flows(int st, CollectiveKind kind, double dense, double expert, TaskId pred,
                  StreamId stream = sim::kNoStream) {
    const auto& x = io[static_cast<std::size_t>(st)];
    if (stream == sim::kNoStream) stream = x.dp;
    TaskId last = pred;
    const GroupShape shard = layout.shape(RankGroup::kDp);
    if (shard.size > 1) {
      last = collective(st, stream, kind, dense, RankGroup::kDp, kTagDpComm, {last});
    }
    const GroupShape rep = layout.shape(RankGroup::kRep);
    if (rep.size > 1 && kind != CollectiveKind::kAllGather) {
      last = collective(st, stream, CollectiveKind::kAllReduce, dense / shard.size, RankGroup::kRep,
                        kTagDpComm, {last});
    }
    const GroupShape edp = layout.shape(RankGroup::kEdp);
    if (expert > 0 && edp.size > 1) {
      last = collective(st, stream, kind, expert, RankGroup::kEdp, kTagDpComm, {last});
    }
    return last;
  }

  void emit_step(int st, const PipelineStep& step, TaskId input, std::vector<TaskId>& last_compute,
                 std::vector<TaskId>& last_grad_sync, std::vector<int>& backward_seen, int dp_n,
                 double gbytes) {
    const auto& s = in.strategy;
    const auto& x = io[static_cast<std::size_t>(st)];
    const auto pass_first = static_cast<TaskId>(out.graph.task_count());
    const bool first_chunk = st == 0 && step.chunk == 0;
    const bool last_chunk = st == pp - 1 && step.chunk == v - 1;
    TaskId after = input;
    TaskId t = kNone;
    auto chain = [&](const std::vector<Segment>& segs, std::uint16_t tag) {
      if (segs.empty()) return;
      const TaskId r = emit(st, segs, tag, after);
      if (r != kNone) {
        t = r;
        after = kNone;  // stream order carries the rest
      }
    };
    // Chunk c of stage st is model chunk c x pp + st (uneven splits: step_costs.hpp).
    const LayerRange range = chunk_layers(in.model, s, st, step.chunk);
    const int first_layer = range.first;
    const int layers_per_chunk = range.count;
    // A data-parallel collective of one layer's parameters: the dense part over dp x cp, the
    // expert part over the expert-data-parallel group; returns the last flow.
    auto layer_dp_flows = [&](CollectiveKind kind, const LayerParams& lp, double bytes_per_param,
                              TaskId pred) {
      return dp_flows(st, kind, lp.dense * bytes_per_param, lp.expert * bytes_per_param, pred);
    };
    // ZeRO-3 gathers each layer's parameters before use, on the data-parallel stream.
    // ZeRO-3 gathers a layer's parameters on the gather stream (FSDP's all-gather stream, apart
    // from its reduce-scatters), prefetched one layer ahead: the gather of a layer starts when the
    // layer before it starts computing, and the layer waits for it. Without a pipeline the
    // parameters are resharded after every use (FSDP FULL_SHARD: gathered again for each
    // micro-batch's forward and backward); under a pipeline they stay gathered from a chunk's
    // first forward to its last backward (torch.distributed.pipelining with FSDP2: no reshard
    // after forward, no gradient sync or reshard until the last micro-batch).
    const int slot_all = st * v + step.chunk;
    const bool gather_pass =
        s.zero >= 3 && dp_n > 1 &&
        (pp == 1 || (!step.backward && forward_seen[static_cast<std::size_t>(slot_all)] == 0));
    // The first layer's gather waits for nothing but the gather stream: it is prefetched while
    // the pass's input is still being computed upstream.
    TaskId before_previous = kNone;  // the task the previous layer's compute started after
    auto gather = [&](int layer) {
      if (!gather_pass) return;
      const LayerParams bytes = layer_gather_bytes(in, layer);
      const TaskId ag = dp_flows(st, CollectiveKind::kAllGather, bytes.dense, bytes.expert,
                                 before_previous, x.gather);
      after = gate({after, ag}, kTagDpComm, st);
    };
    // Offloaded parameters: the layer's compute waits at a gate for its prefetched weights.
    auto fetch = [&](int layer) {
      const TaskId gate = offload.before_layer(st, layer, x.compute, after);
      if (gate != kNone) {
        after = kNone;
        t = gate;
      }
    };
    if (!step.backward) {
      if (first_chunk) chain(emb_f, kTagCompute);
      ++forward_seen[static_cast<std::size_t>(slot_all)];
      for (int l = 0; l < layers_per_chunk; ++l) {
        const int layer = first_layer + l;
        const TaskId started_after = t != kNone ? t : input;
        gather(layer);
        before_previous = started_after;
        fetch(layer);
        chain(in.model.is_moe_layer(layer) ? moe_fwd : fwd, kTagCompute);
        offload.after_layer(st, layer, false, false, t, kNone);
      }
      if (last_chunk) chain(head_f, kTagCompute);
      fwd_done[key(st, step.chunk, step.micro_batch)] = t;
    } else {
      const int slot = st * v + step.chunk;
      const bool last_mb = ++backward_seen[static_cast<std::size_t>(slot)] == mbs;
      const bool reduce_now = dp_n > 1 && ((s.overlap.dp && last_mb && s.zero < 3) ||
                                           (s.zero >= 3 && (pp == 1 || last_mb)));
      const auto reduce_kind =
          s.zero >= 1 ? CollectiveKind::kReduceScatter : CollectiveKind::kAllReduce;
      // The output and input embeddings' gradients: a bucket each, after their backward passes.
      const double vocab_rows = embedding_trainable_per_gpu(in);  // 0 when frozen
      auto embedding_bucket = [&](double params) {
        if (!reduce_now || params <= 0) return;
        last_grad_sync[static_cast<std::size_t>(st)] =
            dp_flows(st, reduce_kind, params * gbytes, 0, t);
      };
      if (last_chunk) {
        chain(head_b, kTagCompute);
        embedding_bucket(!in.model.tied_embeddings || pp > 1 ? vocab_rows : 0.0);
      }
      // Gradient bytes waiting for a fused bucket to fill (dense, expert).
      double bucket = 0, expert_bucket = 0;
      for (int l = layers_per_chunk - 1; l >= 0; --l) {
        const int layer = first_layer + l;
        const bool moe = in.model.is_moe_layer(layer);
        const LayerParams lp = layer_trainable_per_gpu(in, layer);
        const TaskId started_after = t != kNone ? t : input;
        gather(layer);
        before_previous = started_after;
        fetch(layer);
        if (recomputes_layer(s, layer)) chain(moe ? moe_rec : rec, kTagRecompute);
        chain(moe ? moe_bwd : bwd, kTagCompute);
        TaskId r = kNone;
        bucket += lp.dense * gbytes;
        expert_bucket += lp.expert * gbytes;
        // Gradient buckets of one layer, launched as its backward pass completes; with fused
        // communication several layers fill one bucket (fewer collectives, fewer latencies).
        const bool flush =
            !s.offload.fused_comm || bucket + expert_bucket >= kFusedBucketBytes || l == 0;
        if (reduce_now && flush) {
          r = layer_dp_flows(reduce_kind, LayerParams{bucket, expert_bucket}, 1.0, t);
          last_grad_sync[static_cast<std::size_t>(st)] = r;
        }
        if (flush) bucket = expert_bucket = 0;
        offload.after_layer(st, layer, true, last_mb, t, r);
      }
      if (first_chunk) {
        chain(emb_b, kTagCompute);
        embedding_bucket(vocab_rows);
      }
      bwd_done[key(st, step.chunk, step.micro_batch)] = t;
    }
    last_compute[static_cast<std::size_t>(st)] = t;
    // Send the activation (or its gradient) to the neighbouring stage.
    int to = -1;
    if (!step.backward && !last_chunk) to = (st + 1) % pp;
    if (step.backward && !first_chunk) to = (st + pp - 1) % pp;
    if (to >= 0 && pp > 1) {
      const StreamId stream = !s.overlap.pp ? x.compute : step.backward ? x.send_bwd : x.send_fwd;
      const TaskId snd = comm.send(st, to, stream, t);
      if (step.backward) {
        bwd_done[key(st, step.chunk, step.micro_batch)] = snd;
      } else {
        fwd_done[key(st, step.chunk, step.micro_batch)] = snd;
      }
    }
    out.passes.push_back({st, step.micro_batch, step.chunk, step.backward, pass_first,
                          static_cast<TaskId>(out.graph.task_count())});
  }
};

}  // namespace

StepGraph build_step(const StepInput& in, const ComputeModel& compute, FlowNetwork* flow) {
  const RankLayout layout = rank_layout(in);
  StepGraph out;
  const std::unique_ptr<CommBackend> comm = flow != nullptr ? make_flow_comm(in, layout, out, *flow)
                                                            : make_analytic_comm(in, layout, out);
  Builder(in, compute, layout, out, *comm).build();
  comm->finish();
  return out;
}

}  // namespace cirrus::models
