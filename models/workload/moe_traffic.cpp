#include "models/workload/moe_traffic.hpp"

#include <stdexcept>

#include "models/network/collectives.hpp"

namespace cirrus::models {

MoeTraffic moe_traffic(const TransformerConfig& m, const Strategy& s, Precision p) {
  if (!m.moe) throw std::invalid_argument("moe_traffic: the model has no MoE block");
  const MoeConfig& c = *m.moe;
  MoeTraffic t;
  const double e = activation_bytes(p);
  const double h = static_cast<double>(m.hidden);
  t.load = routing_load(c, s.ep);
  t.tokens_in = static_cast<double>(s.micro_batch) * static_cast<double>(m.seq_len) /
                (static_cast<double>(s.cp) * s.tp);
  t.local_experts = static_cast<double>(c.experts) / s.ep;
  // Balanced routing gives each EP rank tokens_in x top_k copies (ep ranks send ep x tokens_in
  // x top_k copies to ep ranks); the straggler gets `straggler` times that (after the capacity
  // limit when tokens are dropped).
  const double received = t.tokens_in * c.top_k * t.load.straggler;
  t.all_to_all_bytes = e * received * h;
  t.expert_copies = received * s.tp;
  t.tp_gather_bytes = s.tp > 1 ? e * t.expert_copies * h : 0.0;
  return t;
}

double all_to_all_bytes_per_rank(const MoeTraffic& t, int ep) {
  return bus_bytes(CollectiveKind::kAllToAll, t.all_to_all_bytes, ep);
}

}  // namespace cirrus::models
