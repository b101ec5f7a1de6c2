#include "reports/trace_event.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "reports/step_tasks.hpp"

namespace cirrus::reports {
namespace {

// Picoseconds as exact microseconds: 12000345 ps -> "12.000345".
std::string micros(std::int64_t ps) {
  const bool negative = ps < 0;
  const std::uint64_t a = negative ? static_cast<std::uint64_t>(-(ps + 1)) + 1
                                   : static_cast<std::uint64_t>(ps);
  return fmt::format("{}{}.{:06}", negative ? "-" : "", a / 1000000, a % 1000000);
}

std::string json_string(const std::string& s) { return nlohmann::json(s).dump(); }

class Writer {
 public:
  void event(const std::string& body) {
    out_ += first_ ? "\n" : ",\n";
    out_ += "{" + body + "}";
    first_ = false;
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
  bool first_ = true;
};

std::string pass_name(const models::StepGraph::Pass& p, bool chunks) {
  std::string n = fmt::format("{} mb {}", p.backward ? "backward" : "forward", p.micro_batch);
  if (chunks) n += fmt::format(" chunk {}", p.chunk);
  return n;
}

}  // namespace

std::string render_trace(const models::StepGraph& g, const sim::RunResult& run,
                         const std::string& title) {
  const auto& tasks = g.graph.tasks();
  const auto passes = task_passes(g);
  const auto streams = stream_infos(g, passes);
  const int links_pid = static_cast<int>(g.compute_stream.size()) + 1;
  auto pid_of = [](int stage) { return stage + 1; };
  auto tid_of = [](sim::StreamId s) { return static_cast<std::uint64_t>(s) + 1; };
  bool chunks = false;
  for (const auto& p : g.passes) chunks = chunks || p.chunk > 0;

  Writer w;
  for (int st = 0; st < static_cast<int>(g.compute_stream.size()); ++st) {
    w.event(fmt::format(
        R"("name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}})", pid_of(st),
        json_string(fmt::format("stage {} (representative rank)", st))));
    w.event(fmt::format(R"("name":"process_sort_index","ph":"M","pid":{},"tid":0,)"
                        R"("args":{{"sort_index":{}}})",
                        pid_of(st), st));
  }
  w.event(fmt::format(R"("name":"process_name","ph":"M","pid":{},"tid":0,)"
                      R"x("args":{{"name":"links (utilization)"}})x",
                      links_pid));
  w.event(fmt::format(R"("name":"process_sort_index","ph":"M","pid":{},"tid":0,)"
                      R"("args":{{"sort_index":{}}})",
                      links_pid, static_cast<int>(g.compute_stream.size())));
  for (sim::StreamId s = 0; s < streams.size(); ++s) {
    const auto& info = streams[s];
    if (info.stage < 0) continue;
    w.event(fmt::format(R"("name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":{}}})",
                        pid_of(info.stage), tid_of(s), json_string(info.name)));
    w.event(fmt::format(R"("name":"thread_sort_index","ph":"M","pid":{},"tid":{},)"
                        R"("args":{{"sort_index":{}}})",
                        pid_of(info.stage), tid_of(s), info.order));
  }

  // Flows on no stream (the flow network model: each collective's flow classes run between a
  // zero-length open and close on its stream) go to one "network flows" thread per stage.
  const std::uint64_t flows_tid = static_cast<std::uint64_t>(streams.size()) + 1;
  {
    std::vector<bool> has_flows(g.compute_stream.size(), false);
    for (sim::TaskId t = 0; t < tasks.size(); ++t) {
      const auto& task = tasks[t];
      if (task.stream == sim::kNoStream && task.kind == sim::TaskKind::kFlow &&
          task.label < has_flows.size()) {
        has_flows[task.label] = true;
      }
    }
    for (std::size_t st = 0; st < has_flows.size(); ++st) {
      if (!has_flows[st]) continue;
      w.event(fmt::format(
          R"("name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":"network flows"}})",
          pid_of(static_cast<int>(st)), flows_tid));
      w.event(fmt::format(R"("name":"thread_sort_index","ph":"M","pid":{},"tid":{},)"
                          R"("args":{{"sort_index":{}}})",
                          pid_of(static_cast<int>(st)), flows_tid, 6));
    }
  }
  auto thread_of = [&](const sim::Task& task) {
    return task.stream == sim::kNoStream ? flows_tid : tid_of(task.stream);
  };

  // Passes: the span of their compute-stream tasks.
  for (const auto& p : g.passes) {
    if (p.stage < 0 || p.stage >= static_cast<int>(g.compute_stream.size())) continue;
    const sim::StreamId cs = g.compute_stream[static_cast<std::size_t>(p.stage)];
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    for (sim::TaskId t = p.first; t < p.end; ++t) {
      if (tasks[t].stream != cs) continue;
      lo = std::min(lo, run.timings[t].start.count());
      hi = std::max(hi, run.timings[t].end.count());
    }
    if (lo > hi) continue;
    w.event(fmt::format(R"("name":{},"cat":"pass","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},)"
                        R"("args":{{"micro_batch":{},"chunk":{}}})",
                        json_string(pass_name(p, chunks)), pid_of(p.stage), tid_of(cs), micros(lo),
                        micros(hi - lo), p.micro_batch, p.chunk));
  }
  // Tasks. Zero-length joins carry no information and are left out.
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    const auto& tm = run.timings[t];
    const std::int64_t dur = (tm.end - tm.start).count();
    if (dur <= 0 || static_cast<int>(task.label) >= static_cast<int>(g.compute_stream.size())) continue;
    const std::string cat = tag_name(task.tag);
    std::string name = cat;
    std::string args;
    if (passes[t] >= 0) {
      const auto& p = g.passes[static_cast<std::size_t>(passes[t])];
      if (is_communication(task.tag)) name += fmt::format(" mb {}", p.micro_batch);
      args = fmt::format(R"("pass":{})", json_string(pass_name(p, chunks)));
    }
    if (task.kind == sim::TaskKind::kFlow) {
      if (!args.empty()) args += ",";
      args += fmt::format(R"("bytes":{:.17g},"latency_us":{})", task.bytes,
                          micros(task.duration.count()));
    }
    w.event(fmt::format(R"("name":{},"cat":{},"ph":"X","pid":{},"tid":{},"ts":{},"dur":{},)"
                        R"("args":{{{}}})",
                        json_string(name), json_string(cat), pid_of(static_cast<int>(task.label)),
                        thread_of(task), micros(tm.start.count()), micros(dur), args));
  }
  // Flows between stages.
  std::uint64_t flow_id = 0;
  for (const auto& [a, b] : g.graph.edges()) {
    const auto& ta = tasks[a];
    const auto& tb = tasks[b];
    if (ta.label == tb.label || static_cast<int>(ta.label) >= static_cast<int>(g.compute_stream.size()) ||
        static_cast<int>(tb.label) >= static_cast<int>(g.compute_stream.size())) {
      continue;
    }
    ++flow_id;
    const std::string name = json_string(ta.tag == models::kTagPpComm ? "pipeline send" : "dependency");
    w.event(fmt::format(R"("name":{},"cat":"pipeline","ph":"s","id":{},"pid":{},"tid":{},"ts":{})",
                        name, flow_id, pid_of(static_cast<int>(ta.label)), thread_of(ta),
                        micros(run.timings[a].start.count())));
    w.event(fmt::format(
        R"("name":{},"cat":"pipeline","ph":"f","bp":"e","id":{},"pid":{},"tid":{},"ts":{})", name,
        flow_id, pid_of(static_cast<int>(tb.label)), thread_of(tb),
        micros(run.timings[b].start.count())));
  }
  // Link utilization: each flow at its average rate over its transfer phase.
  const auto& caps = g.graph.resource_capacities();
  std::vector<std::vector<std::pair<std::int64_t, double>>> changes(caps.size());
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    if (task.kind != sim::TaskKind::kFlow || task.bytes <= 0) continue;
    const auto& tm = run.timings[t];
    const std::int64_t from = std::min(tm.end.count(), tm.start.count() + task.duration.count());
    const std::int64_t to = tm.end.count();
    if (to <= from) continue;
    const double rate = task.bytes / (static_cast<double>(to - from) * 1e-12);
    for (std::uint32_t u = 0; u < task.uses_count; ++u) {
      const auto& use = g.graph.uses()[task.uses_begin + u];
      if (use.resource >= caps.size() || !(caps[use.resource] > 0)) continue;
      const double util = rate * use.coefficient / caps[use.resource];
      changes[use.resource].emplace_back(from, util);
      changes[use.resource].emplace_back(to, -util);
    }
  }
  for (std::size_t r = 0; r < changes.size(); ++r) {
    auto& ch = changes[r];
    if (ch.empty()) continue;
    std::stable_sort(ch.begin(), ch.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    const std::string name =
        json_string(r < g.resource_names.size() ? g.resource_names[r] : fmt::format("resource {}", r));
    double level = 0;
    for (std::size_t i = 0; i < ch.size(); ++i) {
      level += ch[i].second;
      if (i + 1 < ch.size() && ch[i + 1].first == ch[i].first) continue;
      const double shown = level < 1e-9 ? 0.0 : level;
      w.event(fmt::format(R"("name":{},"cat":"link","ph":"C","pid":{},"tid":0,"ts":{},)"
                          R"("args":{{"utilization":{:.6g}}})",
                          name, links_pid, micros(ch[i].first), shown));
    }
  }
  std::string out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"cirrus\",";
  out += fmt::format("\"title\":{},\"makespan_us\":{}}},\n\"traceEvents\":[", json_string(title),
                     micros(run.stats.makespan.count()));
  out += w.text();
  out += "\n]}\n";
  return out;
}

}  // namespace cirrus::reports
