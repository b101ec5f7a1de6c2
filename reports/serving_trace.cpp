#include "reports/serving_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "reports/trace_json.hpp"

namespace cirrus::reports {
namespace {

const char* iteration_name(const models::IterationRecord& r) {
  if (r.prefill_tokens == 0) return "decode";
  return r.prefill_tokens == r.tokens ? "prefill" : "mixed";
}

}  // namespace

std::string render_serving_trace(const models::BatchTrace& trace, int replicas,
                                 const std::string& title) {
  TraceEvents w;
  // Names for the replicas that ran a written iteration, not for every replica of a large fleet.
  std::vector<char> seen(static_cast<std::size_t>(std::max(replicas, 0)), 0);
  for (const models::IterationRecord& it : trace.records) {
    if (it.replica < seen.size()) seen[it.replica] = 1;
  }
  for (int r = 0; r < replicas; ++r) {
    if (!seen[static_cast<std::size_t>(r)]) continue;
    w.event(fmt::format(R"("name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}})",
                        r + 1, trace_string(fmt::format("replica {}", r))));
    w.event(fmt::format(R"("name":"process_sort_index","ph":"M","pid":{},"tid":0,)"
                        R"("args":{{"sort_index":{}}})",
                        r + 1, r));
    w.event(fmt::format(R"("name":"thread_name","ph":"M","pid":{},"tid":1,)"
                        R"("args":{{"name":"iterations"}})",
                        r + 1));
  }
  for (const models::IterationRecord& it : trace.records) {
    const int pid = static_cast<int>(it.replica) + 1;
    std::string args = fmt::format(R"("tokens":{},"prefill_tokens":{},"seqs":{},"kv_blocks":{})",
                                   it.tokens, it.prefill_tokens, it.seqs, it.kv_blocks_used);
    if (it.swapped_blocks > 0) args += fmt::format(R"(,"swapped_blocks":{})", it.swapped_blocks);
    w.event(fmt::format(
        R"("name":"{}","cat":"iteration","ph":"X","pid":{},"tid":1,"ts":{},"dur":{},"args":{{{}}})",
        iteration_name(it), pid, trace_micros(it.start.count()),
        trace_micros((it.end - it.start).count()), args));
    w.event(fmt::format(R"("name":"waiting","ph":"C","pid":{},"ts":{},"args":{{"requests":{}}})",
                        pid, trace_micros(it.start.count()), it.waiting));
  }
  std::string out = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"cirrus\",";
  out += fmt::format(
      "\"title\":{},\"iterations\":{},\"written\":{},\"cap\":{},\"complete\":{}}},\n"
      "\"traceEvents\":[",
      trace_string(title), trace.iterations, trace.records.size(), trace.cap,
      trace.records.size() == static_cast<std::size_t>(trace.iterations) ? "true" : "false");
  out += w.text();
  out += "\n]}\n";
  return out;
}

}  // namespace cirrus::reports
