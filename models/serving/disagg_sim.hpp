#pragma once
// The request-level simulation of a disaggregated fleet (serving_modes.hpp): prefill replicas
// run only prompts, decode replicas only decodes, and each prompt's KV cache crosses a link
// between them.
//
// A request goes to a prefill replica (the router's policy over the prefill pool), whose
// scheduler (scheduler.hpp, its own max_num_batched_tokens, chunked or not) runs its prompt as
// a request with one output token. When the prompt's last chunk ends, the prefill replica
// samples the first token and returns it to the client: TTFT ends there, as in NVIDIA Dynamo
// and vLLM's disaggregated serving, where the prefill worker produces the first token. The
// prompt's KV cache (input tokens x the whole model's KV bytes per token) is then sent to a
// decode replica, chosen at that moment by the router's policy over the decode pool (least
// outstanding counts the transfers bound for a replica as outstanding). Each decode replica
// receives over one link, first come first served: a transfer starts when the link is free,
// holds it for bytes / bandwidth, and lands one latency later. The decode replica then admits
// the sequence with its prompt cached (it needs blocks for it, and waits while there are none),
// and decodes its remaining output - 1 tokens. A request with one output token ends at its
// prefill replica. A decode replica that preempts a sequence recomputes it locally (vLLM's
// recompute), as in a colocated replica.
//
// Not modelled: the prefill replica holding the prompt's blocks while the transfer reads them
// (they are freed at the first token), and a transfer overlapping the prefill layer by layer.
//
// Events, in one queue ordered (time, phase, insertion): arrivals, then KV arrivals, then
// iteration ends, then the starts of idle replicas. Little's law's integral counts a request
// from its arrival to its last token.
#include <cstdint>
#include <vector>

#include "models/serving/fleet_sim.hpp"
#include "models/serving/iteration_time.hpp"
#include "models/serving/kv_link.hpp"
#include "models/serving/request.hpp"
#include "models/serving/serving_spec.hpp"

namespace cirrus::models {

struct DisaggConfig {
  int prefill_replicas = 1;
  int decode_replicas = 1;
  RouterKind router = RouterKind::kLeastOutstanding;
  SchedulerConfig scheduler;        // both pools' schedulers
  std::int64_t prefill_blocks = 0;  // KV blocks per prefill replica
  std::int64_t decode_blocks = 0;   // KV blocks per decode replica
  double kv_bytes_per_token = 0;    // the whole model's: what one prompt token sends
  KvLink link;
};

struct DisaggOutcome {
  // Requests' times (first token at the prefill replica, finish at the decode replica) and the
  // replicas, prefill pool first, then decode pool; busy_prefill_s counts every prefill
  // replica's busy time and the recomputes of decode replicas.
  FleetOutcome fleet;
  std::vector<double> transfer_s;  // per transferred request: first token to KV landed
  double transfer_bytes = 0;       // summed
};

// Simulates `requests` (sorted by arrival; ids 0..n-1). Every prompt must fit an empty prefill
// replica and every request an empty decode replica (the caller's check): std::logic_error
// otherwise.
DisaggOutcome simulate_disagg(const std::vector<Request>& requests, const DisaggConfig& config,
                              IterationTimer& prefill_timer, IterationTimer& decode_timer);

}  // namespace cirrus::models
