#include "reports/serving_disagg_render.hpp"

#include <fmt/format.h>

#include "common/units.hpp"
#include "reports/report_format.hpp"

namespace cirrus::reports {
namespace {

std::string ms(double s) { return fmt::format("{:.3g}", s * 1e3); }

std::string kv_words(const models::KvCacheSize& kv) {
  return fmt::format("{} blocks ({} tokens)", format::count(static_cast<double>(kv.blocks)),
                     format::count(static_cast<double>(kv.tokens())));
}

}  // namespace

std::string disagg_fleet_words(const app::DisaggSummary& d) {
  return fmt::format("{} prefill replica{} x tp {} + {} decode replica{} x tp {} ({} GPUs)",
                     d.prefill_replicas, d.prefill_replicas == 1 ? "" : "s", d.prefill_tp,
                     d.decode_replicas, d.decode_replicas == 1 ? "" : "s", d.decode_tp, d.gpus());
}

std::string disagg_table_lines(const app::DisaggSummary& d) {
  std::string t = fmt::format("  KV cache: per prefill replica {}, per decode replica {}\n",
                              kv_words(d.prefill_kv), kv_words(d.decode_kv));
  t += fmt::format(
      "  KV transfer over {} ({:.1f} GB/s, {:.3g} us per transfer), {:.0f} bytes "
      "per prompt token\n",
      to_string(d.transfer), d.link_bytes_per_s / 1e9, d.link_latency_s * 1e6,
      d.kv_bytes_per_token);
  t += fmt::format(
      "    {} transfers, {} GB; first token to KV landed: mean {} ms, p90 {} ms, "
      "max {} ms\n",
      format::count(static_cast<double>(d.transfer_s.count)),
      fmt::format("{:.3g}", d.transfer_bytes / 1e9), ms(d.transfer_s.mean), ms(d.transfer_s.p90),
      ms(d.transfer_s.max));
  t +=
      fmt::format("  pools busy: prefill {}, decode {}; peak KV blocks: prefill {}, decode {}\n",
                  format::percent(d.prefill_busy_fraction), format::percent(d.decode_busy_fraction),
                  format::count(static_cast<double>(d.prefill_peak_blocks)),
                  format::count(static_cast<double>(d.decode_peak_blocks)));
  return t;
}

nlohmann::ordered_json disagg_json(const app::DisaggSummary& d) {
  using Json = nlohmann::ordered_json;
  return Json{{"prefill_replicas", d.prefill_replicas},
              {"decode_replicas", d.decode_replicas},
              {"prefill_tp", d.prefill_tp},
              {"decode_tp", d.decode_tp},
              {"gpus", d.gpus()},
              {"transfer", to_string(d.transfer)},
              {"link_gbyte_per_s", round_sig(d.link_bytes_per_s / 1e9)},
              {"link_latency_us", round_sig(d.link_latency_s * 1e6)},
              {"link_basis", d.link_basis},
              {"kv_bytes_per_token", round_sig(d.kv_bytes_per_token)},
              {"prefill_kv_blocks", d.prefill_kv.blocks},
              {"decode_kv_blocks", d.decode_kv.blocks},
              {"transfers", d.transfer_s.count},
              {"transfer_gbytes", round_sig(d.transfer_bytes / 1e9)},
              {"transfer_s", Json{{"mean", round_sig(d.transfer_s.mean)},
                                  {"p50", round_sig(d.transfer_s.p50)},
                                  {"p90", round_sig(d.transfer_s.p90)},
                                  {"p99", round_sig(d.transfer_s.p99)},
                                  {"max", round_sig(d.transfer_s.max)}}},
              {"prefill_busy_fraction", round_sig(d.prefill_busy_fraction)},
              {"decode_busy_fraction", round_sig(d.decode_busy_fraction)},
              {"prefill_peak_blocks", d.prefill_peak_blocks},
              {"decode_peak_blocks", d.decode_peak_blocks}};
}

}  // namespace cirrus::reports
