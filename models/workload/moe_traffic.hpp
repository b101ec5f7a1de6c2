#pragma once
// What one MoE layer moves and computes on one GPU for one micro-batch, under expert
// parallelism (Megatron-Core's all-to-all token dispatcher, megatron/core/transformer/moe/
// token_dispatcher.py):
//
//   router      each GPU routes its own tokens: b s / (cp tp) of them (the input is sequence-
//               parallel sharded; Megatron requires sequence parallelism for MoE with tp > 1)
//   dispatch    an all-to-all over the EP group sends every token's top_k copies to the
//               ranks holding the chosen experts; then, with tp > 1, an all-gather over the
//               TP group (the experts' weights are split over tp: Megatron-Core's default
//               expert_tensor_parallel_size = tensor_model_parallel_size)
//   experts     the rank's experts / ep experts run their FFNs on the copies they received
//   combine     a reduce-scatter over TP (tp > 1) and the reverse all-to-all over EP
//
// Rank order: Megatron-Core folds expert parallelism into the data- and context-parallel
// dimensions (MoE "parallel folding": the expert grid is etp-ep-edp-pp over the same ranks as
// tp-cp-dp-pp, with etp = tp), so an EP group is ep consecutive (cp x dp) positions: rank
// stride tp, size ep; the expert-data-parallel group that holds the same experts is the rest
// of dp x cp: size dp x cp / ep, stride tp x ep.
//
// The representative rank simulated is the straggler: the rank holding the hottest expert
// (moe.hpp, routing_load). It processes `straggler` x its fair share of copies and receives
// that much in the dispatch (and sends it back in the combine); every all-to-all completes
// only when it does, so its receive volume sizes the collective.
#include "models/hardware/precision.hpp"
#include "models/workload/moe.hpp"
#include "models/workload/strategy.hpp"
#include "models/workload/transformer.hpp"

namespace cirrus::models {

struct MoeTraffic {
  double tokens_in = 0;      // tokens entering the router on one GPU: b s / (cp tp)
  double local_experts = 1;  // experts / ep
  double expert_copies = 0;  // token copies the straggler's experts process (all local
                             // experts, after the TP all-gather): tokens_in tp top_k x straggler
  // nccl-tests size of one dispatch (= one combine) all-to-all on the straggler: the bytes it
  // receives from the whole group, e x tokens_in x top_k x h x straggler; of these,
  // (ep - 1) / ep cross the network or NVLink (bus_bytes).
  double all_to_all_bytes = 0;
  // nccl-tests size of the TP all-gather after the dispatch (and the reduce-scatter before the
  // combine): the gathered copies, e x expert_copies x h; 0 when tp = 1.
  double tp_gather_bytes = 0;
  RoutingLoad load;
};

// Throws std::invalid_argument for a dense model.
MoeTraffic moe_traffic(const TransformerConfig& m, const Strategy& s, Precision p);

// Bytes one rank sends over the EP group in one dispatch all-to-all (= the bus bytes):
// all_to_all_bytes x (ep - 1) / ep.
double all_to_all_bytes_per_rank(const MoeTraffic& t, int ep);

}  // namespace cirrus::models
