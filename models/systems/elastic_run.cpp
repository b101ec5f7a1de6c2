#include "models/systems/elastic_run.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "models/systems/checkpoint.hpp"

namespace cirrus::models {

double checkpoint_bytes(const StepInput& in) { return checkpoint_bytes(in.model, in.training); }

double reshard_seconds(const StepInput& in, const ElasticSpec& e, int from_nodes, int to_nodes) {
  const double bytes = checkpoint_bytes(in);
  double s = 0;
  if (from_nodes > 0) s += bytes / (e.storage_bw_per_node * from_nodes);
  if (to_nodes > 0) s += e.restart_s + bytes / (e.storage_bw_per_node * to_nodes);
  return s;
}

bool relower(const StepInput& base, int nodes, StepInput& out, std::string& why) {
  out = base;
  out.cluster.nodes = nodes;
  const auto& s = base.strategy;
  const long per_replica = static_cast<long>(s.tp) * s.pp * s.cp;
  const long gpus = static_cast<long>(nodes) * base.cluster.node.gpus;
  if (gpus % per_replica != 0) {
    why = fmt::format("{} GPUs are not a multiple of tp x pp x cp = {}", gpus, per_replica);
    return false;
  }
  const int dp = static_cast<int>(gpus / per_replica);
  if (base.training.global_batch % (static_cast<long>(dp) * s.micro_batch) != 0) {
    why = fmt::format("dp {} x micro_batch {} does not divide the global batch {}", dp,
                      s.micro_batch, base.training.global_batch);
    return false;
  }
  if ((static_cast<long>(dp) * s.cp) % s.ep != 0) {
    why = fmt::format("ep {} does not divide dp x cp = {}", s.ep, dp * s.cp);
    return false;
  }
  out.strategy.dp = dp;
  return true;
}

ElasticRun elastic_run(const StepInput& base, const ElasticSpec& e, double usd_per_node_hour,
                       const StepFn& step) {
  ElasticRun run;
  const double tokens_per_step =
      static_cast<double>(base.training.global_batch) * static_cast<double>(base.model.seq_len);
  const double goal = base.training.tokens;
  double done = 0;
  for (std::size_t i = 0; i < e.schedule.size() && done < goal; ++i) {
    const auto& c = e.schedule[i];
    ElasticPhase ph;
    ph.start_h = c.at_hours;
    ph.nodes = c.nodes;
    ph.held = c.held > 0 ? c.held : c.nodes;
    const bool last = i + 1 == e.schedule.size();
    if (i > 0 && c.reshard) {
      ph.reshard_s = reshard_seconds(base, e, e.schedule[i - 1].nodes, c.nodes);
    }
    StepInput in;
    std::string why;
    if (c.nodes == 0) {
      ph.paused = true;
      ph.reason = "paused: the nodes held cannot hold one replica";
      if (last) {  // nothing comes back: the run never ends
        run.completes = false;
        run.reason = fmt::format("paused from {} h with no replacement", c.at_hours);
        ph.end_h = ph.start_h;
        run.phases.push_back(ph);
        break;
      }
    } else if (!relower(base, c.nodes, in, why)) {
      ph.feasible = false;
      ph.reason = why;
    } else {
      ph.dp = in.strategy.dp;
      const StepResult r = step(in);
      if (!r.feasible) {
        ph.feasible = false;
        ph.reason = r.infeasible_reason;
      } else {
        ph.step_time_s = r.step_time_s;
      }
    }
    if (!ph.feasible) {
      // The cluster is paid for while it cannot train: the phase is lost.
      run.completes = false;
      run.reason = fmt::format("phase at {} h with {} nodes: {}", c.at_hours, c.nodes, ph.reason);
      if (last) {
        ph.end_h = ph.start_h;
        run.phases.push_back(ph);
        break;
      }
    }
    const double rate =
        ph.feasible && !ph.paused ? tokens_per_step / ph.step_time_s : 0.0;  // tokens/s
    double seconds = last ? 0 : (e.schedule[i + 1].at_hours - c.at_hours) * 3600.0;
    const double train_s = std::max(0.0, seconds - ph.reshard_s);
    double tokens = rate * train_s;
    if (last || done + tokens >= goal) {
      // Runs until the remaining tokens are done.
      tokens = goal - done;
      seconds = ph.reshard_s + (rate > 0 ? tokens / rate : 0.0);
    }
    ph.tokens = tokens;
    ph.end_h = ph.start_h + seconds / 3600.0;
    ph.usd = ph.held * usd_per_node_hour * seconds / 3600.0;
    done += tokens;
    run.reshard_hours += std::min(ph.reshard_s, seconds) / 3600.0;
    run.phases.push_back(ph);
  }
  for (const auto& ph : run.phases) {
    run.tokens += ph.tokens;
    run.usd += ph.usd;
  }
  if (!run.phases.empty()) run.hours = run.phases.back().end_h - run.phases.front().start_h;
  if (run.tokens < goal * (1 - 1e-12)) run.completes = false;
  return run;
}

}  // namespace cirrus::models
