#include "reports/trace_event.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "reports/step_tasks.hpp"
#include "reports/trace_json.hpp"

namespace cirrus::reports {
namespace {

std::string micros(std::int64_t ps) { return trace_micros(ps); }
std::string json_string(const std::string& s) { return trace_string(s); }
using Writer = TraceEvents;

std::string pass_name(const models::StepGraph::Pass& p, bool chunks) {
  std::string n = fmt::format("{} mb {}", p.backward ? "backward" : "forward", p.micro_batch);
  if (chunks) n += fmt::format(" chunk {}", p.chunk);
  return n;
}

// The args key of a kind's busy time in a pass: "compute_us", "tp_communication_us", ...
std::string busy_key(std::uint16_t tag) {
  std::string key = tag_name(tag);
  for (char& c : key) {
    c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key + "_us";
}

bool on_stage(const models::StepGraph& g, const sim::Task& t) {
  return static_cast<int>(t.label) < static_cast<int>(g.compute_stream.size());
}

// Every task as its own event.
void write_kernels(Writer& w, const models::StepGraph& g, const sim::RunResult& run,
                   const std::vector<std::int32_t>& passes, bool chunks, std::uint64_t flows_tid) {
  const auto& tasks = g.graph.tasks();
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    const auto& tm = run.timings[t];
    const std::int64_t dur = (tm.end - tm.start).count();
    if (dur <= 0 || !on_stage(g, task)) continue;
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
                        json_string(name), json_string(cat), static_cast<int>(task.label) + 1,
                        task.stream != sim::kNoStream    ? task.stream + 1
                        : task.tag == models::kTagPpComm ? flows_tid + 1
                                                         : flows_tid,
                        micros(tm.start.count()), micros(dur), args));
  }
}

// One block per run of consecutive tasks of a stream that belong to the same pass and are of
// the same kind (the tail: same kind); pipeline sends stay single events. A stream runs its
// tasks one after the other, so the blocks of a thread never overlap. Compute-stream tasks of
// a pass are left to the pass's own event.
//
// Flows on no stream (the flow network model's collectives) go to their stage's "network
// flows" thread; they run concurrently, so there a block is the union of a pass's flows and of
// whatever overlaps them (named after its first flow's kind).
void write_merged(Writer& w, const models::StepGraph& g, const sim::RunResult& run,
                  const std::vector<std::int32_t>& passes, bool chunks, std::uint64_t flows_tid) {
  const auto& tasks = g.graph.tasks();
  const std::size_t streams = g.graph.stream_count();
  std::vector<std::vector<sim::TaskId>> by_stream(streams + g.compute_stream.size());
  std::vector<sim::TaskId> send_events;
  for (sim::TaskId t = 0; t < tasks.size(); ++t) {
    const auto& task = tasks[t];
    if ((run.timings[t].end - run.timings[t].start).count() <= 0 || !on_stage(g, task)) continue;
    if (task.stream == sim::kNoStream) {
      // Stage-wide pipeline sends stay single events (the arrows bind to them) on their own
      // thread: sends to the two neighbours may overlap, so that thread's events can too.
      if (task.tag == models::kTagPpComm) {
        send_events.push_back(t);
      } else {
        by_stream[streams + task.label].push_back(t);
      }
      continue;
    }
    const bool compute_stream = g.compute_stream[task.label] == task.stream;
    if (compute_stream && passes[t] >= 0) continue;
    by_stream[task.stream].push_back(t);
  }
  struct Block {
    sim::TaskId first = 0;
    std::int64_t start = 0, end = 0, busy = 0;
    double bytes = 0;
    int count = 0;
  };
  auto emit = [&](const Block& b) {
    const auto& task = tasks[b.first];
    const std::string cat = tag_name(task.tag);
    std::string name = cat;
    std::string args = fmt::format(R"("tasks":{},"busy_us":{})", b.count, micros(b.busy));
    if (passes[b.first] >= 0) {
      const auto& p = g.passes[static_cast<std::size_t>(passes[b.first])];
      if (is_communication(task.tag)) name += fmt::format(" mb {}", p.micro_batch);
      args += fmt::format(R"(,"pass":{})", json_string(pass_name(p, chunks)));
    }
    if (b.bytes > 0) args += fmt::format(R"(,"bytes":{:.17g})", b.bytes);
    w.event(fmt::format(R"("name":{},"cat":{},"ph":"X","pid":{},"tid":{},"ts":{},"dur":{},)"
                        R"("args":{{{}}})",
                        json_string(name), json_string(cat), static_cast<int>(task.label) + 1,
                        task.stream != sim::kNoStream    ? task.stream + 1
                        : task.tag == models::kTagPpComm ? flows_tid + 1
                                                         : flows_tid,
                        micros(b.start), micros(b.end - b.start), args));
  };
  for (auto& ids : by_stream) {
    std::stable_sort(ids.begin(), ids.end(), [&](sim::TaskId a, sim::TaskId b) {
      return run.timings[a].start < run.timings[b].start;
    });
    std::optional<Block> open;
    for (const sim::TaskId t : ids) {
      const auto& task = tasks[t];
      const auto& tm = run.timings[t];
      const bool network = task.stream == sim::kNoStream;
      const bool joins =
          open && (network ? tm.start.count() <= open->end || passes[open->first] == passes[t]
                           : task.tag != models::kTagPpComm && tasks[open->first].tag == task.tag &&
                                 passes[open->first] == passes[t]);
      if (!joins) {
        if (open) emit(*open);
        open = Block{t, tm.start.count(), tm.end.count(), 0, 0, 0};
      }
      open->end = std::max(open->end, tm.end.count());
      open->busy += (tm.end - tm.start).count();
      if (task.kind == sim::TaskKind::kFlow) open->bytes += task.bytes;
      ++open->count;
      if (task.tag == models::kTagPpComm && !network) {
        emit(*open);
        open.reset();
      }
    }
    if (open) emit(*open);
  }
  for (const sim::TaskId t : send_events) {
    const auto& tm = run.timings[t];
    emit(
        Block{t, tm.start.count(), tm.end.count(), (tm.end - tm.start).count(), tasks[t].bytes, 1});
  }
}

// The utilization steps of each resource: (time, change), sorted by time.
std::vector<std::vector<std::pair<std::int64_t, double>>> link_changes(const models::StepGraph& g,
                                                                       const sim::RunResult& run,
                                                                       std::vector<double>& bytes) {
  const auto& tasks = g.graph.tasks();
  const auto& caps = g.graph.resource_capacities();
  std::vector<std::vector<std::pair<std::int64_t, double>>> changes(caps.size());
  bytes.assign(caps.size(), 0.0);
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
      bytes[use.resource] += task.bytes * use.coefficient;
    }
  }
  for (auto& ch : changes) {
    std::stable_sort(ch.begin(), ch.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  return changes;
}

// Links shown at pass detail, and the grid they are averaged on: enough for a utilization
// plot, a few thousand events however long the step.
constexpr std::size_t kTopLinks = 16;
constexpr std::int64_t kGridIntervals = 500;

void write_link_counters(Writer& w, const models::StepGraph& g, const sim::RunResult& run,
                         int links_pid, TraceDetail detail) {
  std::vector<double> bytes;
  const auto changes = link_changes(g, run, bytes);
  auto counter = [&](std::size_t r, std::int64_t ts, double level) {
    const std::string name = json_string(
        r < g.resource_names.size() ? g.resource_names[r] : fmt::format("resource {}", r));
    w.event(fmt::format(R"("name":{},"cat":"link","ph":"C","pid":{},"tid":0,"ts":{},)"
                        R"("args":{{"utilization":{:.6g}}})",
                        name, links_pid, micros(ts), level < 1e-9 ? 0.0 : level));
  };
  if (detail == TraceDetail::kKernels) {
    for (std::size_t r = 0; r < changes.size(); ++r) {
      const auto& ch = changes[r];
      double level = 0;
      for (std::size_t i = 0; i < ch.size(); ++i) {
        level += ch[i].second;
        if (i + 1 < ch.size() && ch[i + 1].first == ch[i].first) continue;
        counter(r, ch[i].first, level);
      }
    }
    return;
  }
  std::vector<std::size_t> order;
  for (std::size_t r = 0; r < changes.size(); ++r) {
    if (!changes[r].empty()) order.push_back(r);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return bytes[a] > bytes[b]; });
  if (order.size() > kTopLinks) order.resize(kTopLinks);
  std::sort(order.begin(), order.end());
  const std::int64_t span = std::max<std::int64_t>(run.stats.makespan.count(), 1);
  const std::int64_t step = std::max<std::int64_t>((span + kGridIntervals - 1) / kGridIntervals, 1);
  for (const std::size_t r : order) {
    const auto& ch = changes[r];
    // The average level over each interval [k step, (k + 1) step): integrate the steps.
    std::vector<double> area(static_cast<std::size_t>((span + step - 1) / step) + 1, 0.0);
    double level = 0;
    for (std::size_t i = 0; i < ch.size(); ++i) {
      level += ch[i].second;
      const std::int64_t from = ch[i].first;
      const std::int64_t to = i + 1 < ch.size() ? ch[i + 1].first : from;
      for (std::int64_t a = from; a < to;) {
        const std::int64_t k = a / step;
        const std::int64_t b = std::min(to, (k + 1) * step);
        if (static_cast<std::size_t>(k) < area.size()) {
          area[static_cast<std::size_t>(k)] += level * static_cast<double>(b - a);
        }
        a = b;
      }
    }
    std::string last;
    for (std::size_t k = 0; k < area.size(); ++k) {
      const double avg = area[k] / static_cast<double>(step);
      const std::string shown = fmt::format("{:.3g}", avg < 1e-9 ? 0.0 : avg);
      if (shown == last) continue;
      last = shown;
      counter(r, static_cast<std::int64_t>(k) * step, std::stod(shown));
    }
  }
}

}  // namespace

TraceDetail parse_trace_detail(const std::string& name) {
  if (name == "passes") return TraceDetail::kPasses;
  if (name == "kernels") return TraceDetail::kKernels;
  throw std::invalid_argument("trace detail must be \"passes\" or \"kernels\", not \"" + name +
                              "\"");
}

std::string render_trace(const models::StepGraph& g, const sim::RunResult& run,
                         const std::string& title, TraceDetail detail) {
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
    w.event(fmt::format(R"("name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}})",
                        pid_of(st),
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
    std::vector<bool> has_sends(g.compute_stream.size(), false);
    for (sim::TaskId t = 0; t < tasks.size(); ++t) {
      const auto& task = tasks[t];
      if (task.stream == sim::kNoStream && task.kind == sim::TaskKind::kFlow &&
          task.label < has_flows.size()) {
        (task.tag == models::kTagPpComm ? has_sends : has_flows)[task.label] = true;
      }
    }
    for (std::size_t st = 0; st < has_sends.size(); ++st) {
      if (!has_sends[st]) continue;
      w.event(fmt::format(R"("name":"thread_name","ph":"M","pid":{},"tid":{},)"
                          R"x("args":{{"name":"pipeline sends (network)"}})x",
                          pid_of(static_cast<int>(st)), flows_tid + 1));
      w.event(fmt::format(R"("name":"thread_sort_index","ph":"M","pid":{},"tid":{},)"
                          R"("args":{{"sort_index":{}}})",
                          pid_of(static_cast<int>(st)), flows_tid + 1, 7));
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
    if (task.stream != sim::kNoStream) return tid_of(task.stream);
    return task.tag == models::kTagPpComm ? flows_tid + 1 : flows_tid;
  };

  // Passes: the span of their compute-stream tasks.
  for (const auto& p : g.passes) {
    if (p.stage < 0 || p.stage >= static_cast<int>(g.compute_stream.size())) continue;
    const sim::StreamId cs = g.compute_stream[static_cast<std::size_t>(p.stage)];
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    // Busy time by kind on the compute stream (blocking TP communication runs there): what
    // the pass is made of when its kernels are not written.
    std::vector<std::int64_t> busy(models::kTagCount + 1, 0);
    for (sim::TaskId t = p.first; t < p.end; ++t) {
      if (tasks[t].stream != cs) continue;
      lo = std::min(lo, run.timings[t].start.count());
      hi = std::max(hi, run.timings[t].end.count());
      busy[std::min<std::size_t>(tasks[t].tag, models::kTagCount)] +=
          (run.timings[t].end - run.timings[t].start).count();
    }
    if (lo > hi) continue;
    std::string args = fmt::format(R"("micro_batch":{},"chunk":{})", p.micro_batch, p.chunk);
    for (std::size_t tag = 0; tag < busy.size(); ++tag) {
      if (busy[tag] > 0) {
        args += fmt::format(R"(,{}:{})", json_string(busy_key(static_cast<std::uint16_t>(tag))),
                            micros(busy[tag]));
      }
    }
    w.event(fmt::format(R"("name":{},"cat":"pass","ph":"X","pid":{},"tid":{},"ts":{},"dur":{},)"
                        R"("args":{{{}}})",
                        json_string(pass_name(p, chunks)), pid_of(p.stage), tid_of(cs), micros(lo),
                        micros(hi - lo), args));
  }
  // Tasks. Zero-length joins carry no information and are left out.
  if (detail == TraceDetail::kKernels) {
    write_kernels(w, g, run, passes, chunks, flows_tid);
  } else {
    write_merged(w, g, run, passes, chunks, flows_tid);
  }
  // Flows between stages.
  std::uint64_t flow_id = 0;
  for (const auto& [a, b] : g.graph.edges()) {
    const auto& ta = tasks[a];
    const auto& tb = tasks[b];
    if (ta.label == tb.label ||
        static_cast<int>(ta.label) >= static_cast<int>(g.compute_stream.size()) ||
        static_cast<int>(tb.label) >= static_cast<int>(g.compute_stream.size())) {
      continue;
    }
    ++flow_id;
    const std::string name =
        json_string(ta.tag == models::kTagPpComm ? "pipeline send" : "dependency");
    w.event(fmt::format(R"("name":{},"cat":"pipeline","ph":"s","id":{},"pid":{},"tid":{},"ts":{})",
                        name, flow_id, pid_of(static_cast<int>(ta.label)), thread_of(ta),
                        micros(run.timings[a].start.count())));
    w.event(fmt::format(
        R"("name":{},"cat":"pipeline","ph":"f","bp":"e","id":{},"pid":{},"tid":{},"ts":{})", name,
        flow_id, pid_of(static_cast<int>(tb.label)), thread_of(tb),
        micros(run.timings[b].start.count())));
  }
  write_link_counters(w, g, run, links_pid, detail);
  std::string out = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"cirrus\",";
  out += fmt::format("\"title\":{},\"detail\":\"{}\",\"makespan_us\":{}}},\n\"traceEvents\":[",
                     json_string(title), detail == TraceDetail::kKernels ? "kernels" : "passes",
                     micros(run.stats.makespan.count()));
  out += w.text();
  out += "\n]}\n";
  return out;
}

}  // namespace cirrus::reports
