#include "reports/serving_render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/units.hpp"
#include "reports/report_format.hpp"
#include "reports/serving_disagg_render.hpp"

namespace cirrus::reports {
namespace {

using Json = nlohmann::ordered_json;

Json stats_json(const models::LatencyStats& s) {
  return Json{{"count", s.count},        {"mean", round_sig(s.mean)}, {"p50", round_sig(s.p50)},
              {"p90", round_sig(s.p90)}, {"p99", round_sig(s.p99)},   {"max", round_sig(s.max)}};
}

Json optional_number(const std::optional<double>& v, double scale = 1.0) {
  return v ? Json(round_sig(*v * scale)) : Json(nullptr);
}

Json trace_json(const models::BatchTrace& t) {
  return Json{{"iterations", t.iterations},
              {"written", t.records.size()},
              {"cap", t.cap},
              {"complete", t.records.size() == static_cast<std::size_t>(t.iterations)}};
}

Json scaled_json(const models::ServingSpec& spec, const app::ScaledFleet& f) {
  const app::ScalingFigures& fig = f.figures;
  Json j;
  if (const auto& a = spec.autoscaling) {
    j["autoscaling"] = Json{{"policy", models::to_string(a->policy)},
                            {"target", a->target},
                            {"min_replicas", a->min_replicas},
                            {"max_replicas", a->max_replicas},
                            {"interval_s", a->interval_s},
                            {"scale_down_delay_s", a->scale_down_delay_s},
                            {"tolerance", a->tolerance},
                            {"scale_ups", f.scale_ups},
                            {"scale_downs", f.scale_downs}};
  } else {
    j["autoscaling"] = nullptr;
  }
  j["scale_up_delay_s"] = round_sig(fig.scale_up_delay_s);
  j["instance_start_s"] = round_sig(fig.instance_start_s);
  j["instance_start_source"] = fig.start_source;
  j["weights_gb"] = round_sig(fig.weight_bytes / 1e9);
  j["storage_gbyte_per_s"] = round_sig(fig.storage_bps / 1e9);
  j["storage_source"] = fig.storage_source;
  j["replicas_launched"] = f.launched;
  j["peak_replicas"] = f.peak_replicas;
  j["replica_hours"] = round_sig(f.replica_seconds / 3600.0);
  if (f.spot) {
    j["spot"] = Json{{"interruptions_per_hour", round_sig(fig.interruptions_per_hour)},
                     {"rate_source", fig.rate_source},
                     {"notice_s", fig.notice_s},
                     {"notice_source", fig.notice_source},
                     {"interruptions", f.interruptions},
                     {"rerouted_requests", f.rerouted}};
  } else {
    j["spot"] = nullptr;
  }
  Json hours = Json::array();
  for (const models::HourRow& h : f.hours) {
    hours.push_back(Json{{"hour", h.hour},
                         {"requests", h.requests},
                         {"ttft_attained", optional_number(h.ttft_attained)},
                         {"tpot_attained", optional_number(h.tpot_attained)},
                         {"mean_replicas", round_sig(h.mean_replicas)}});
  }
  j["hours"] = std::move(hours);
  return j;
}

std::string render_json(const app::ServingResult& r) {
  const models::ServingSpec& spec = r.spec;
  const models::ServingMetrics& m = r.metrics;
  const bool swap = spec.scheduler.preemption == models::PreemptionMode::kSwap;
  Json j;
  j["scenario"] = r.scenario_name;
  j["mode"] = "request-level";
  j["model"] = r.model_name;
  j["gpu"] = r.gpu;
  j["node"] = r.node_id;
  j["replicas"] = spec.replicas;
  j["tp"] = spec.tp;
  if (spec.pp > 1) j["pp"] = spec.pp;
  if (spec.expert_parallel) j["expert_parallel"] = true;
  if (r.disagg) {
    j["replicas"] = r.disagg->prefill_replicas + r.disagg->decode_replicas;
    j["tp"] = nullptr;
    j["disaggregation"] = disagg_json(*r.disagg);
  }
  if (spec.offload) j["offload"] = Json{{"gpu_sections", spec.offload->gpu_sections}};
  j["router"] = to_string(spec.router);
  j["arrivals"] = r.arrivals;
  j["seed"] = spec.seed;
  j["scheduler"] =
      Json{{"max_num_seqs", spec.scheduler.max_num_seqs},
           {"max_num_batched_tokens", spec.scheduler.max_num_batched_tokens},
           {"chunked_prefill", spec.scheduler.chunked_prefill},
           {"block_size", spec.scheduler.block_size},
           {"gpu_memory_utilization", spec.scheduler.gpu_memory_utilization},
           {"preemption", to_string(spec.scheduler.preemption)},
           {"swap_space_gib", swap ? Json(spec.scheduler.swap_space_gib) : Json()},
           {"prefix_caching", r.prefix_caching},
           {"admission", spec.scheduler.reserve_full ? "reserve-full" : "on-demand"},
           {"kv_cache_free_fraction", spec.scheduler.kv_cache_free_fraction
                                          ? Json(*spec.scheduler.kv_cache_free_fraction)
                                          : Json(nullptr)}};
  j["numerics"] = Json{{"dtype", models::to_string(spec.dtype)},
                       {"quantization", models::to_string(spec.quantization)},
                       {"kv_cache_dtype", models::to_string(spec.kv_cache_dtype)}};
  j["kv_cache"] = Json{{"blocks", r.kv.blocks},
                       {"tokens", r.kv.tokens()},
                       {"usable_gib", round_sig(r.kv.usable_bytes / kGiB)},
                       {"weights_gib", round_sig(r.kv.weight_bytes / kGiB)},
                       {"activations_gib", round_sig(r.kv.activation_bytes / kGiB)},
                       {"runtime_gib", round_sig(r.kv.runtime_bytes / kGiB)},
                       {"kv_gib", round_sig(r.kv.kv_bytes / kGiB)},
                       {"bytes_per_token", round_sig(r.kv.bytes_per_token)}};
  if (r.kv.engines > 1) j["kv_cache"]["engine_blocks"] = r.kv.engine_blocks();
  j["requests"] = m.requests;
  j["completed"] = m.completed;
  j["latency_s"] = Json{{"ttft", stats_json(m.ttft)},
                        {"tpot", stats_json(m.tpot)},
                        {"e2e", stats_json(m.e2e)},
                        {"queueing", stats_json(m.queueing)}};
  j["throughput"] = Json{{"makespan_s", round_sig(m.makespan_s)},
                         {"requests_per_s", round_sig(m.requests_per_s)},
                         {"input_tokens_per_s", round_sig(m.input_tokens_per_s)},
                         {"output_tokens_per_s", round_sig(m.output_tokens_per_s)}};
  j["slo"] = Json{{"ttft_ms", optional_number(spec.slo.ttft_s, 1e3)},
                  {"tpot_ms", optional_number(spec.slo.tpot_s, 1e3)},
                  {"attained", optional_number(m.slo_attained)},
                  {"goodput_per_s", optional_number(m.goodput_per_s)}};
  j["kv_peak_blocks"] = m.kv_peak_blocks;
  j["kv_peak_fraction"] =
      round_sig(m.kv_blocks > 0 ? static_cast<double>(m.kv_peak_blocks) / m.kv_blocks : 0.0);
  j["preemptions"] = m.preemptions;
  j["iterations"] = m.iterations;
  j["busy_fraction"] = round_sig(m.busy_fraction);
  j["prefill_share"] = round_sig(m.prefill_share);
  j["little"] = Json{{"mean_in_system", round_sig(m.little.mean_in_system)},
                     {"arrival_rate_per_s", round_sig(m.little.arrival_rate)},
                     {"mean_e2e_s", round_sig(m.little.mean_e2e_s)},
                     {"relative_error", round_sig(m.little.relative_error, 2)}};
  if (r.cost) {
    const app::ServingCost& c = *r.cost;
    j["cost"] = Json{{"instance", c.instance},
                     {"pricing", pricing::to_string(c.pricing)},
                     {"usd_per_instance_hour", round_sig(c.usd_per_instance_hour)},
                     {"instance_gpus", c.instance_gpus},
                     {"usd_per_hour", round_sig(c.usd_per_hour)},
                     {"usd_total", round_sig(c.usd_total)},
                     {"usd_per_million_input_tokens", round_sig(c.usd_per_million_input)},
                     {"usd_per_million_output_tokens", round_sig(c.usd_per_million_output)},
                     {"usd_per_million_tokens", round_sig(c.usd_per_million_tokens)},
                     {"source", c.source},
                     {"retrieved", c.retrieved},
                     {"verified", c.verified},
                     {"usd_per_replica_hour", round_sig(c.usd_per_replica_hour)},
                     {"replica_hours", round_sig(c.replica_hours)},
                     {"committed_unused_usd", round_sig(c.committed_unused_usd)}};
  } else {
    j["cost"] = nullptr;
    j["cost_missing"] = r.cost_missing;
  }
  j["prefix_cache"] = r.prefix_caching ? Json{{"hit_tokens", m.prefix_hit_tokens},
                                              {"prompt_tokens", m.input_tokens},
                                              {"hit_rate", round_sig(m.prefix_hit_rate)},
                                              {"evictions", m.prefix_evictions}}
                                       : Json();
  j["swap"] = swap ? Json{{"swap_outs", m.swaps},
                          {"swap_ins", m.swap_ins},
                          {"copy_s", round_sig(m.swap_s)},
                          {"host_blocks", r.swap_host_blocks},
                          {"gbyte_per_s", round_sig(r.swap_gbyte_per_s)}}
                   : Json();
  if (r.trace) j["trace"] = trace_json(*r.trace);
  j["assumptions"] = r.assumptions;
  const app::ServingErrorBar& e = r.throughput_error;
  j["throughput_error"] = Json{{"metric", "output_tokens_per_s"},
                               {"known", e.known},
                               {"sigma", e.known ? Json(round_sig(e.sigma, 4)) : Json(nullptr)},
                               {"bias", e.bias ? Json(round_sig(*e.bias, 4)) : Json(nullptr)},
                               {"rows", e.rows},
                               {"factor", round_sig(e.factor, 4)},
                               {"basis", e.basis},
                               {"latencies_validated", false}};
  if (r.scaled) j["fleet_changes"] = scaled_json(spec, *r.scaled);
  return j.dump(2) + "\n";
}

std::string ms(double s) {
  const double v = s * 1e3;
  if (v >= 100) return fmt::format("{:.0f}", v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

// Three significant figures for small dollar amounts ($0.0123), format::usd above $10.
std::string small_usd(double v) {
  if (v >= 10) return format::usd(v);
  return fmt::format("${:.3g}", v);
}

const char* pricing_words(pricing::PricingModel m) {
  switch (m) {
    case pricing::PricingModel::kOnDemand:
      return "on demand";
    case pricing::PricingModel::kSpot:
      return "at spot";
    default:
      return pricing::to_string(m);
  }
}

std::string indent(const std::string& table) {
  std::string t;
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    t += "  " + table.substr(start, end - start) + "\n";
    start = end == std::string::npos ? table.size() : end + 1;
  }
  return t;
}

std::string scaled_table(const models::ServingSpec& spec, const app::ScaledFleet& f) {
  const app::ScalingFigures& fig = f.figures;
  std::string t;
  if (const auto& a = spec.autoscaling) {
    t += fmt::format(
        "  autoscaling: {} {:g} per replica, {} to {} replicas, every {:g} s, tolerance {:g}%, "
        "scale-down after {:g} s; {} scale-up{}, {} scale-down{}, {} replica{} launched, peak {}\n",
        models::to_string(a->policy), a->target, a->min_replicas, a->max_replicas, a->interval_s,
        a->tolerance * 100, a->scale_down_delay_s, f.scale_ups, f.scale_ups == 1 ? "" : "s",
        f.scale_downs, f.scale_downs == 1 ? "" : "s", f.launched, f.launched == 1 ? "" : "s",
        f.peak_replicas);
  }
  t += fmt::format(
      "  new replica: {:.0f} s to serve = {:.0f} s instance start + {:.1f} GB weights / {:.2f} "
      "GB/s\n",
      fig.scale_up_delay_s, fig.instance_start_s, fig.weight_bytes / 1e9, fig.storage_bps / 1e9);
  if (f.spot) {
    t += fmt::format(
        "  spot: {} interruption{} ({:.4g} per replica-hour, {:g} s notice), {} request{} routed "
        "again\n",
        f.interruptions, f.interruptions == 1 ? "" : "s", fig.interruptions_per_hour, fig.notice_s,
        format::count(static_cast<double>(f.rerouted)), f.rerouted == 1 ? "" : "s");
  }
  std::vector<std::vector<std::string>> rows = {
      {"hour", "requests", "TTFT met", "TPOT met", "mean replicas"}};
  const auto share = [](const std::optional<double>& v) {
    return v ? format::percent(*v) : std::string("-");
  };
  for (const models::HourRow& h : f.hours) {
    rows.push_back({std::to_string(h.hour), format::count(static_cast<double>(h.requests)),
                    share(h.ttft_attained), share(h.tpot_attained),
                    fmt::format("{:.2f}", h.mean_replicas)});
  }
  return t + "\n" + indent(format::pad_table(rows));
}

std::string render_table(const app::ServingResult& r) {
  const models::ServingSpec& spec = r.spec;
  const models::ServingMetrics& m = r.metrics;
  const auto& sc = spec.scheduler;
  std::string t = fmt::format("{}: serving {} ({:.1f}B parameters), request by request\n",
                              r.scenario_name, r.model_name, r.parameters / 1e9);
  const std::string fleet =
      r.disagg
          ? disagg_fleet_words(*r.disagg)
          : fmt::format("{} replica{} x tp {}{}", spec.replicas, spec.replicas == 1 ? "" : "s",
                        spec.tp, spec.pp > 1 ? fmt::format(" x pp {}", spec.pp) : std::string());
  std::string ring =
      spec.offload ? fmt::format(", offloaded ring of {} section{}", spec.offload->gpu_sections,
                                 spec.offload->gpu_sections == 1 ? "" : "s")
                   : "";
  if (spec.expert_parallel && !r.disagg) {
    ring += fmt::format(", experts placed whole (ep {})", spec.tp);
  }
  t += fmt::format("  fleet: {}{} on {} ({}), {} router\n", fleet, ring, r.node_id, r.gpu,
                   to_string(spec.router));
  t += fmt::format("  requests: {} ({}), seed {}\n", format::count(static_cast<double>(m.requests)),
                   r.arrivals, spec.seed);
  t += fmt::format(
      "  scheduler: max_num_seqs {}, max_num_batched_tokens {}, chunked prefill {}, KV blocks of "
      "{} tokens\n",
      sc.max_num_seqs, sc.max_num_batched_tokens, sc.chunked_prefill ? "on" : "off", sc.block_size);
  if (r.prefix_caching || sc.preemption == models::PreemptionMode::kSwap) {
    std::string extras;
    if (r.prefix_caching) extras = "prefix caching on";
    if (sc.preemption == models::PreemptionMode::kSwap) {
      extras += fmt::format(
          "{}preemption by swap ({:g} GiB of host memory per GPU, {} blocks, "
          "at {:.4g} GB/s)",
          extras.empty() ? "" : ", ", sc.swap_space_gib,
          format::count(static_cast<double>(r.swap_host_blocks)), r.swap_gbyte_per_s);
    }
    t += "             " + extras + "\n";
  }
  if (sc.reserve_full) {
    t += "  admission: reserve-full (blocks for the whole prompt and output at the start)\n";
  }
  const bool plain = spec.dtype == models::Precision::kBf16 &&
                     spec.quantization == models::Quantization::kNone &&
                     spec.kv_cache_dtype == models::KvCacheDtype::kAuto;
  if (!plain) {
    t += fmt::format(
        "  numerics: {} activations, quantization {}, KV cache {}\n", models::to_string(spec.dtype),
        models::to_string(spec.quantization),
        spec.kv_cache_dtype == models::KvCacheDtype::kFp8 ? "fp8" : models::to_string(spec.dtype));
  }
  const std::string per_gpu =
      sc.kv_cache_free_fraction
          ? fmt::format("{:g} x ({} - {} weights - {} activations - {} runtime)",
                        *sc.kv_cache_free_fraction, format::gib(r.kv.usable_bytes / kGiB),
                        format::gib(r.kv.weight_bytes / kGiB),
                        format::gib(r.kv.activation_bytes / kGiB),
                        format::gib(r.kv.runtime_bytes / kGiB))
          : fmt::format(
                "{} usable - {} weights - {} activations - {} runtime",
                format::gib(r.kv.usable_bytes / kGiB), format::gib(r.kv.weight_bytes / kGiB),
                format::gib(r.kv.activation_bytes / kGiB), format::gib(r.kv.runtime_bytes / kGiB));
  const std::string engines =
      r.kv.engines > 1
          ? fmt::format(", {} per engine", format::count(static_cast<double>(r.kv.engine_blocks())))
          : std::string();
  t += fmt::format("  KV cache per {}replica: {} blocks ({} tokens){}; per {}GPU {} = {}\n\n",
                   r.disagg ? "decode " : "", format::count(static_cast<double>(r.kv.blocks)),
                   format::count(static_cast<double>(r.kv.tokens())), engines,
                   r.kv.engines > 1 ? "tightest stage's " : "", per_gpu,
                   format::gib(r.kv.kv_bytes / kGiB));
  std::vector<std::vector<std::string>> rows = {
      {"latency (ms)", "requests", "mean", "p50", "p90", "p99", "max"}};
  const auto row = [&](const char* name, const models::LatencyStats& s) {
    rows.push_back({name, format::count(static_cast<double>(s.count)), ms(s.mean), ms(s.p50),
                    ms(s.p90), ms(s.p99), ms(s.max)});
  };
  row("TTFT", m.ttft);
  row("TPOT", m.tpot);
  row("E2E", m.e2e);
  row("queueing", m.queueing);
  const std::string table = format::pad_table(rows);
  std::size_t start = 0;
  while (start < table.size()) {
    const std::size_t end = table.find('\n', start);
    t += "  " + table.substr(start, end - start) + "\n";
    start = end == std::string::npos ? table.size() : end + 1;
  }
  t += fmt::format(
      "\n  throughput: {:.2f} requests/s, {} input and {} output tokens/s over {} (first "
      "arrival to last finish)\n",
      m.requests_per_s, format::count(m.input_tokens_per_s), format::count(m.output_tokens_per_s),
      format::duration(m.makespan_s));
  const app::ServingErrorBar& e = r.throughput_error;
  if (e.known) {
    t += fmt::format(
        "  error: output tokens/s +/-{} ({}{}); latencies not yet validated against "
        "published runs\n",
        format::percent(e.sigma), e.basis,
        e.bias ? fmt::format("; their median error {:+.1f}%, not corrected", *e.bias * 100)
               : std::string());
  } else {
    t += fmt::format("  error: {}\n", e.basis);
  }
  if (m.slo_attained) {
    std::string slos;
    if (spec.slo.ttft_s) slos += "TTFT <= " + ms(*spec.slo.ttft_s) + " ms";
    if (spec.slo.tpot_s)
      slos += std::string(slos.empty() ? "" : ", ") + "TPOT <= " + ms(*spec.slo.tpot_s) + " ms";
    t += fmt::format("  goodput: {:.2f} requests/s meet the SLOs ({}): {} of requests\n",
                     *m.goodput_per_s, slos, format::percent(*m.slo_attained));
  } else {
    t += "  goodput: no SLO given (serving.slo)\n";
  }
  const double peak = m.kv_blocks > 0 ? static_cast<double>(m.kv_peak_blocks) / m.kv_blocks : 0;
  const char* unit = spec.pp > 1 ? "engine" : "replica";  // pipelined: virtual engines
  t += fmt::format("  KV cache: peak {} of a{} {}'s blocks; {} preemption{}", format::percent(peak),
                   spec.pp > 1 ? "n" : "", unit, format::count(static_cast<double>(m.preemptions)),
                   m.preemptions == 1 ? "" : "s");
  if (sc.preemption == models::PreemptionMode::kSwap) {
    t += fmt::format(", {} of them by swap ({} swapped back in, {} of copies)",
                     format::count(static_cast<double>(m.swaps)),
                     format::count(static_cast<double>(m.swap_ins)), format::duration(m.swap_s));
  }
  t += "\n";
  if (r.prefix_caching) {
    t += fmt::format(
        "  prefix cache: {} of prompt tokens hit ({} of {}), {} cached blocks evicted\n",
        format::percent(m.prefix_hit_rate), format::count(m.prefix_hit_tokens),
        format::count(m.input_tokens), format::count(static_cast<double>(m.prefix_evictions)));
  }
  t += fmt::format("  busy: {} of {} time, {} iterations, {} of it on prefill tokens\n",
                   format::percent(m.busy_fraction), unit,
                   format::count(static_cast<double>(m.iterations)),
                   format::percent(m.prefill_share));
  if (r.disagg) t += disagg_table_lines(*r.disagg);
  t += fmt::format(
      "  Little's law: L = {:.4g} requests in the system, lambda x W = {:.4g}/s x {:.4g} s = "
      "{:.4g} (relative difference {:.1e})\n",
      m.little.mean_in_system, m.little.arrival_rate, m.little.mean_e2e_s,
      m.little.arrival_rate * m.little.mean_e2e_s, m.little.relative_error);
  if (r.cost) {
    const app::ServingCost& c = *r.cost;
    t += fmt::format(
        "  cost: {} {}, {} for its {:g} GPUs; {}: {}, {} over the run\n", c.instance,
        pricing_words(c.pricing), format::usd_rate(c.usd_per_instance_hour), c.instance_gpus,
        r.scaled
            ? fmt::format("{:.4g} replica-hours of tp {}, on average", c.replica_hours, spec.tp)
            : fmt::format("the fleet's {:g} GPUs",
                          r.disagg ? r.disagg->gpus()
                                   : static_cast<double>(spec.replicas) * spec.tp * spec.pp),
        format::usd_rate(c.usd_per_hour), format::usd(c.usd_total));
    if (c.committed_unused_usd > 0) {
      t += fmt::format("        of which {} for committed replica-hours left unused\n",
                       format::usd(c.committed_unused_usd));
    }
    t += fmt::format(
        "        {} per million input tokens, {} per million output tokens ({} per million "
        "tokens)\n",
        small_usd(c.usd_per_million_input), small_usd(c.usd_per_million_output),
        small_usd(c.usd_per_million_tokens));
    t += fmt::format("        price: {}, {}{}\n", c.source, c.retrieved,
                     c.verified ? "" : " (recalled, unverified)");
  } else {
    t += "  cost: n/a (" + r.cost_missing + ")\n";
  }
  if (r.trace) {
    const models::BatchTrace& tr = *r.trace;
    const auto written = static_cast<double>(tr.records.size());
    t += written == static_cast<double>(tr.iterations)
             ? fmt::format("  trace: all {} iterations\n", format::count(written))
             : fmt::format("  trace: the first {} of {} iterations (the trace's cap)\n",
                           format::count(written),
                           format::count(static_cast<double>(tr.iterations)));
  }
  if (r.scaled) t += scaled_table(spec, *r.scaled);
  t += "\n  assumptions:\n";
  for (const std::string& a : r.assumptions) t += "    - " + a + "\n";
  t += "  percentiles by nearest rank; TPOT over requests with more than one output token\n";
  return t;
}

}  // namespace

std::string render_serving(const app::ServingResult& r, const std::string& format) {
  return format == "json" ? render_json(r) : render_table(r);
}

}  // namespace cirrus::reports
