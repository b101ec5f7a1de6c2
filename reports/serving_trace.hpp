#pragma once
// A serving fleet's batches as a Chrome trace-event file (the JSON object format that Perfetto,
// ui.perfetto.dev, and chrome://tracing open), from the iterations a run recorded
// (models/serving/batch_trace.hpp):
//   - a process per replica that ran a written iteration ("replica 3"), named by "process_name"
//   metadata, with one thread,
//     "iterations";
//   - one "X" complete event per iteration, named "prefill", "decode" or "mixed" by its tokens,
//     with args tokens, prefill_tokens, seqs, kv_blocks (used after scheduling) and, when it
//     copied blocks to or from host memory, swapped_blocks;
//   - a "C" counter per replica, "waiting", at each iteration's start: the requests left in its
//     queue.
// With pipeline stages (`engines` virtual engines per replica, the run's engine i being replica
// i / engines's engine i % engines) a replica's process has a thread per engine, "engine N",
// and a counter per engine, "waiting, engine N".
// Bounded by the record's cap: "otherData" says how many iterations the run had, how many are
// written and the cap. Timestamps are exact microseconds (trace_json.hpp).
#include <string>

#include "models/serving/batch_trace.hpp"

namespace cirrus::reports {

std::string render_serving_trace(const models::BatchTrace& trace, int replicas,
                                 const std::string& title, int engines = 1);

}  // namespace cirrus::reports
