#include "reports/result_render.hpp"

#include <fmt/format.h>
#include <cmath>
#include <cstdint>

#include "models/network/collectives.hpp"
#include "reports/report_format.hpp"
#include "reports/uncertainty_render.hpp"

namespace cirrus::reports {

namespace {

nlohmann::json config_json(const ResultContext& ctx) {
  const auto& s = ctx.input.strategy;
  nlohmann::json c;
  c["instance"] = ctx.instance;
  c["nodes"] = ctx.input.cluster.nodes;
  c["gpus"] = ctx.input.cluster.gpus();
  c["tp"] = s.tp;
  c["pp"] = s.pp;
  c["dp"] = s.dp;
  c["cp"] = s.cp;
  c["ep"] = s.ep;
  c["micro_batch"] = s.micro_batch;
  c["schedule"] = models::to_string(s.schedule);
  c["virtual_stages"] = s.virtual_stages;
  c["zero"] = s.zero;
  c["recompute"] = models::to_string(s.recompute);
  c["sequence_parallel"] = s.sequence_parallel;
  c["attention"] = models::to_string(s.attention);
  c["overlap"] = {{"dp", s.overlap.dp}, {"tp", s.overlap.tp}, {"pp", s.overlap.pp}};
  // Present only when something is offloaded, so other results keep their shape.
  if (s.offload.any()) {
    c["offload"] = {{"params", models::to_string(s.offload.params)},
                    {"optimizer", models::to_string(s.offload.optimizer)}};
  }
  return c;
}

std::string strategy_line(const models::Strategy& s) {
  std::string line = fmt::format("tp {} pp {} dp {}", s.tp, s.pp, s.dp);
  if (s.cp > 1) line += fmt::format(" cp {}", s.cp);
  if (s.ep > 1) line += fmt::format(" ep {}", s.ep);
  line += fmt::format(", micro-batch {}, {}", s.micro_batch, models::to_string(s.schedule));
  if (s.schedule == models::Schedule::kInterleaved) line += fmt::format(" x{}", s.virtual_stages);
  line += fmt::format(", ZeRO-{}, recompute {}", s.zero, models::to_string(s.recompute));
  if (s.sequence_parallel) line += ", sequence parallel";
  if (s.offload.any()) {
    line += fmt::format(", offload params {} optimizer {} (prefetch {} layers",
                        models::to_string(s.offload.params), models::to_string(s.offload.optimizer),
                        s.offload.prefetch_layers);
    if (s.offload.prefetch_experts >= 0)
      line += fmt::format(", {} experts", s.offload.prefetch_experts);
    line += ")";
  }
  if (s.offload.fused_comm) line += ", fused communication";
  return line;
}

}  // namespace

nlohmann::json result_json(const ResultContext& ctx, const models::StepResult& r) {
  nlohmann::json j;
  j["cirrus"] = 1;
  j["scenario"] = ctx.scenario;
  j["config"] = config_json(ctx);
  j["feasible"] = r.feasible;
  j["infeasible_reason"] =
      r.feasible ? nlohmann::json(nullptr) : nlohmann::json(r.infeasible_reason);
  const auto& m = r.memory;
  j["memory_gib"] = {
      {"params", round_sig(m.params, 4)},       {"grads", round_sig(m.grads, 4)},
      {"optimizer", round_sig(m.optimizer, 4)}, {"activations", round_sig(m.activations, 4)},
      {"buffers", round_sig(m.buffers, 4)},     {"total", round_sig(m.total, 4)},
      {"capacity", round_sig(m.capacity, 4)},   {"reserved", round_sig(m.reserved, 4)}};
  if (r.finetune) {
    // LoRA / QLoRA only, so full-training results keep their shape: what is frozen, what trains.
    const auto& f = *r.finetune;
    j["memory_gib"]["frozen_weights"] = round_sig(m.frozen, 4);
    j["memory_gib"]["trainable_states"] = round_sig(m.trainable, 4);
    j["finetune"] = {
        {"method", f.method},
        {"preset", f.preset.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.preset)},
        {"rank", f.rank},
        {"targets", f.targets},
        {"base_bits", f.base_bits},
        {"frozen_bits_per_param", round_sig(f.frozen_bits_per_param, 4)},
        {"trainable_params", f.trainable_params},
        {"frozen_params", round_sig(f.frozen_params, 6)}};
  }
  if (r.feasible) {
    j["step_time_s"] = round_sig(r.step_time_s);
    j["tokens_per_s"] = round_sig(r.tokens_per_s);
    j["model_tflops_per_gpu"] = round_sig(r.model_tflops_per_gpu, 4);
    j["mfu"] = round_sig(r.mfu, 4);
    const auto& b = r.breakdown;
    j["breakdown_s"] = {
        {"compute", round_sig(b.compute)},     {"recompute", round_sig(b.recompute)},
        {"tp_comm", round_sig(b.tp_comm)},     {"cp_comm", round_sig(b.cp_comm)},
        {"pp_comm", round_sig(b.pp_comm)},     {"dp_comm", round_sig(b.dp_comm)},
        {"pp_bubble", round_sig(b.pp_bubble)}, {"optimizer", round_sig(b.optimizer)}};
    if (r.moe) {
      // MoE models only, so dense results keep their shape: the expert all-to-alls, and what
      // routing imbalance and the capacity limit cost.
      j["breakdown_s"]["ep_comm"] = round_sig(b.ep_comm);
      j["moe"] = {{"all_to_all_s", round_sig(r.moe->all_to_all_s)},
                  {"straggler_factor", round_sig(r.moe->straggler_factor, 4)},
                  {"hottest_expert", round_sig(r.moe->hottest_expert, 4)},
                  {"dropped_token_fraction", round_sig(r.moe->dropped_token_fraction, 4)}};
    }
    if (r.offload) {
      // Hierarchical storage (strategy.offload): present only when something is offloaded.
      j["breakdown_s"]["offload"] = round_sig(b.offload);
      j["offload"] = {{"transfer_s", round_sig(r.offload->transfer_s)},
                      {"exposed_s", round_sig(r.offload->exposed_s)},
                      {"host_gib_per_gpu", round_sig(r.offload->host_gib, 4)},
                      {"nvme_gib_per_gpu", round_sig(r.offload->nvme_gib, 4)}};
    }
    if (r.run) {
      j["run"] = {{"tokens", r.run->tokens},
                  {"steps", static_cast<std::int64_t>(r.run->steps)},
                  {"days", round_sig(r.run->days, 4)}};
    }
    nlohmann::json links = nlohmann::json::array();
    for (const auto& l : r.links) {
      links.push_back({{"link", l.link}, {"utilization", round_sig(l.utilization, 3)}});
    }
    j["links"] = links;
  }
  j["calibrated"] = r.calibrated;
  j["calibration"] = r.calibration;
  j["assumptions"] = r.assumptions;
  return j;
}

std::string render_json(const ResultContext& ctx, const models::StepResult& r) {
  return result_json(ctx, r).dump(2) + "\n";
}

std::string render_table(const ResultContext& ctx, const models::StepResult& r) {
  std::string o;
  const auto& in = ctx.input;
  o += fmt::format("{}\n", ctx.scenario);
  o += fmt::format("  cluster   {} x {} ({} GPUs, {})\n", in.cluster.nodes, ctx.instance,
                   in.cluster.gpus(), in.cluster.node.gpu.display);
  o += fmt::format("  model     {} layers, hidden {}, {} heads, seq {}, {:.1f}B parameters\n",
                   in.model.layers, in.model.hidden, in.model.heads, in.model.seq_len,
                   in.model.parameters() / 1e9);
  o += fmt::format("  strategy  {}\n", strategy_line(in.strategy));
  o += fmt::format("  batch     {} sequences, {}\n", in.training.global_batch,
                   models::to_string(in.training.precision));
  if (r.finetune) {
    const auto& f = *r.finetune;
    o += fmt::format(
        "  finetune  {}{} r {} on {}, frozen base {}-bit ({:.3f} bits/param), {:.1f}M trainable "
        "of {:.1f}B parameters\n",
        f.method, f.preset.empty() ? "" : " (" + f.preset + ")", f.rank, f.targets, f.base_bits,
        f.frozen_bits_per_param, f.trainable_params / 1e6, f.frozen_params / 1e9);
  }
  o += "\n";
  const auto& m = r.memory;
  if (!r.feasible) {
    o += fmt::format("INFEASIBLE: {}\n", r.infeasible_reason);
    if (m.total > 0) {
      o += fmt::format(
          "  memory per GPU: params {:.1f}, grads {:.1f}, optimizer {:.1f}, "
          "activations {:.1f}, buffers {:.1f} = {:.1f} GiB of {:.1f}\n",
          m.params, m.grads, m.optimizer, m.activations, m.buffers, m.total, m.capacity);
    }
    return o;
  }
  // The error bars, when the caller computed them and they are known.
  const models::Uncertainty* u =
      ctx.uncertainty && ctx.uncertainty->known ? &*ctx.uncertainty : nullptr;
  o += fmt::format("  step time        {:>10.3f} s", r.step_time_s);
  if (ctx.uncertainty) {
    o += u ? fmt::format("  {} ({})", models::sigma_text(u->sigma), u->basis)
           : std::string("  (error unknown: see the notes below)");
  }
  o += "\n";
  o += fmt::format("  throughput       {:>10.0f} tokens/s\n", r.tokens_per_s);
  o += fmt::format("  model TFLOP/s    {:>10.1f} per GPU (MFU {:.1f}%)\n", r.model_tflops_per_gpu,
                   r.mfu * 100);
  if (r.run) {
    // Under two days in hours: "31.5 hours" reads better than "1.31 days".
    const bool hours = r.run->days < 2;
    const double span = hours ? r.run->days * 24 : r.run->days;
    o += fmt::format(
        "  run              {:>10.0f} steps, {:.{}f} {}{} for {} tokens\n", r.run->steps, span,
        hours ? 1 : 2, hours ? "hours" : "days",
        u ? fmt::format(" ({})", range_text(models::band(span, u->sigma), hours ? 1 : 2)) : "",
        format::tokens(r.run->tokens));
  }
  o += "\n  step breakdown (critical path)      s      %\n";
  const auto& b = r.breakdown;
  const double total = r.step_time_s > 0 ? r.step_time_s : 1.0;
  auto row = [&](const char* name, double v) {
    if (v <= 0) return;
    o += fmt::format("    {:<28}{:>9.3f} {:>6.1f}\n", name, v, 100.0 * v / total);
  };
  row("compute", b.compute);
  row("recompute", b.recompute);
  row("tensor-parallel comm", b.tp_comm);
  row("context-parallel comm", b.cp_comm);
  row("pipeline comm", b.pp_comm);
  row("data-parallel comm", b.dp_comm);
  row("expert all-to-all", b.ep_comm);
  row("pipeline bubble", b.pp_bubble);
  row("optimizer", b.optimizer);
  row("offload transfers (exposed)", b.offload);
  o += fmt::format("    {:<28}{:>9.3f} {:>6.1f}\n", "total", b.total(), 100.0 * b.total() / total);
  o += fmt::format(
      "\n  memory per GPU (GiB): params {:.1f}, grads {:.1f}, optimizer {:.1f}, "
      "activations {:.1f}, buffers {:.1f} = {:.1f} of {:.1f}\n",
      m.params, m.grads, m.optimizer, m.activations, m.buffers, m.total, m.capacity);
  if (r.finetune) {
    o += fmt::format(
        "  of which frozen base weights {:.1f} GiB; adapters' weights, gradients and optimizer "
        "{:.2f} GiB\n",
        m.frozen, m.trainable);
  }
  if (r.moe) {
    o += fmt::format(
        "  MoE routing: straggler rank processes {:.3f}x its fair share (hottest expert "
        "{:.3f}x), {:.1f}% of routed tokens dropped, all-to-all {:.3f} s\n",
        r.moe->straggler_factor, r.moe->hottest_expert, 100.0 * r.moe->dropped_token_fraction,
        r.moe->all_to_all_s);
  }
  if (r.offload) {
    const auto& x = *r.offload;
    o += fmt::format(
        "  offload: transfers {:.3f} s on the copy streams, {:.3f} s exposed ({}); "
        "{:.1f} GiB per GPU in host memory, {:.1f} GiB on NVMe\n",
        x.transfer_s, x.exposed_s,
        x.exposed_s <= 1e-9 * r.step_time_s ? "prefetch hides them"
                                            : "prefetch does not hide them all",
        x.host_gib, x.nvme_gib);
  }
  if (!r.links.empty()) {
    o += "  busiest links:";
    for (const auto& l : r.links) o += fmt::format(" {} {:.0f}%;", l.link, l.utilization * 100);
    o += "\n";
  }
  const bool datasheet = r.calibration == "datasheet";
  o += fmt::format("\n  calibration: {}\n", r.calibration);
  o += fmt::format("  calibrated: {}. Assumed:\n",
                   r.calibrated ? "yes"
                   : datasheet  ? "no (datasheet figures)"
                               : "partly (what the profile does not cover uses datasheet figures)");
  for (const auto& a : r.assumptions) o += fmt::format("    - {}\n", a);
  if (ctx.uncertainty) {
    o += "\n  how sure:\n";
    for (const auto& n : models::uncertainty_notes(*ctx.uncertainty)) {
      o += fmt::format("    - {}\n", n);
    }
  }
  return o;
}

std::string render_csv(const ResultContext& ctx, const models::StepResult& r) {
  const auto& s = ctx.input.strategy;
  const auto& b = r.breakdown;
  std::string o =
      "scenario,instance,nodes,gpus,tp,pp,dp,cp,ep,micro_batch,schedule,virtual_stages,zero,"
      "recompute,sequence_parallel,feasible,infeasible_reason,step_time_s,tokens_per_s,"
      "model_tflops_per_gpu,mfu,compute_s,recompute_s,tp_comm_s,cp_comm_s,pp_comm_s,dp_comm_s,"
      "pp_bubble_s,optimizer_s,memory_total_gib,memory_capacity_gib,calibrated,ep_comm_s,"
      "moe_straggler_factor,moe_dropped_token_fraction,calibration,sigma,step_time_low_s,"
      "step_time_high_s,offload_s,run_tokens,run_steps,run_days,pricing,usd_per_hour,"
      "usd_per_step,usd_total\n";
  auto quote = [](const std::string& v) {
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  o += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},", quote(ctx.scenario),
                   quote(ctx.instance), ctx.input.cluster.nodes, ctx.input.cluster.gpus(), s.tp,
                   s.pp, s.dp, s.cp, s.ep, s.micro_batch, models::to_string(s.schedule),
                   s.virtual_stages, s.zero, models::to_string(s.recompute),
                   s.sequence_parallel ? "true" : "false", r.feasible ? "true" : "false",
                   quote(r.infeasible_reason));
  o += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},", round_sig(r.step_time_s),
                   round_sig(r.tokens_per_s), round_sig(r.model_tflops_per_gpu, 4),
                   round_sig(r.mfu, 4), round_sig(b.compute), round_sig(b.recompute),
                   round_sig(b.tp_comm), round_sig(b.cp_comm), round_sig(b.pp_comm),
                   round_sig(b.dp_comm), round_sig(b.pp_bubble), round_sig(b.optimizer),
                   round_sig(r.memory.total, 4), round_sig(r.memory.capacity, 4),
                   r.calibrated ? "true" : "false");
  // Appended columns (the CSV grows at its end): empty for dense models.
  if (r.moe) {
    o += fmt::format("{},{},{},", round_sig(b.ep_comm), round_sig(r.moe->straggler_factor, 4),
                     round_sig(r.moe->dropped_token_fraction, 4));
  } else {
    o += ",,,";
  }
  o += quote(r.calibration);
  // The error bars (empty when unknown or infeasible).
  if (r.feasible && ctx.uncertainty && ctx.uncertainty->known) {
    const models::Range band = models::band(r.step_time_s, ctx.uncertainty->sigma);
    o += fmt::format(",{},{},{}", round_sig(ctx.uncertainty->sigma, 4), round_sig(band.low, 4),
                     round_sig(band.high, 4));
  } else {
    o += ",,,";
  }
  // Appended later (the CSV grows at its end): exposed offload, the run and its cost, each
  // empty where the result has none (no offload, no training.tokens, no catalog instance).
  o += r.feasible ? fmt::format(",{}", round_sig(b.offload)) : ",";
  if (r.run) {
    o += fmt::format(",{},{},{}", r.run->tokens, static_cast<std::int64_t>(r.run->steps),
                     round_sig(r.run->days, 6));
  } else {
    o += ",,,";
  }
  if (ctx.cost) {
    o += fmt::format(",{},{},{},{}\n", ctx.cost->pricing, round_sig(ctx.cost->usd_per_hour),
                     round_sig(ctx.cost->usd_per_step),
                     ctx.cost->has_run ? fmt::format("{}", round_sig(ctx.cost->usd_total)) : "");
  } else {
    o += ",,,,\n";
  }
  return o;
}

}  // namespace cirrus::reports
