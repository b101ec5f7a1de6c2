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
                                 const std::string& title, int engines) {
  TraceEvents w;
  engines = std::max(engines, 1);
  // Names for the engines that ran a written iteration, not for every replica of a large fleet.
  const int slots = std::max(replicas, 0) * engines;
  std::vector<char> seen(static_cast<std::size_t>(slots), 0);
  for (const models::IterationRecord& it : trace.records) {
    if (it.replica < seen.size()) seen[it.replica] = 1;
  }
  int named = -1;  // the last replica whose process is named
  for (int i = 0; i < slots; ++i) {
    if (!seen[static_cast<std::size_t>(i)]) continue;
    const int r = i / engines, tid = i % engines + 1;
    if (r != named) {
      named = r;
      w.event(fmt::format(R"("name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}})",
                          r + 1, trace_string(fmt::format("replica {}", r))));
      w.event(fmt::format(R"("name":"process_sort_index","ph":"M","pid":{},"tid":0,)"
                          R"("args":{{"sort_index":{}}})",
                          r + 1, r));
    }
    w.event(fmt::format(R"("name":"thread_name","ph":"M","pid":{},"tid":{},)"
                        R"("args":{{"name":{}}})",
                        r + 1, tid,
                        trace_string(engines == 1 ? std::string("iterations")
                                                  : fmt::format("engine {}", tid - 1))));
  }
  for (const models::IterationRecord& it : trace.records) {
    const int pid = static_cast<int>(it.replica) / engines + 1;
    const int tid = static_cast<int>(it.replica) % engines + 1;
    std::string args = fmt::format(R"("tokens":{},"prefill_tokens":{},"seqs":{},"kv_blocks":{})",
                                   it.tokens, it.prefill_tokens, it.seqs, it.kv_blocks_used);
    if (it.swapped_blocks > 0) args += fmt::format(R"(,"swapped_blocks":{})", it.swapped_blocks);
    w.event(fmt::format(
        R"("name":"{}","cat":"iteration","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},"args":{{{}}})",
        iteration_name(it), pid, tid, trace_micros(it.start.count()),
        trace_micros((it.end - it.start).count()), args));
    w.event(fmt::format(R"("name":{},"ph":"C","pid":{},"ts":{},"args":{{"requests":{}}})",
                        trace_string(engines == 1 ? std::string("waiting")
                                                  : fmt::format("waiting, engine {}", tid - 1)),
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
