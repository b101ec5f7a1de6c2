#pragma once
// The pieces every Chrome trace-event file cirrus writes shares (trace_event.hpp for a training
// step, serving_trace.hpp for a serving fleet's batches): exact microsecond timestamps from the
// engine's integer picoseconds, so that reruns are byte-identical, and one event per line.
#include <cstdint>
#include <string>

namespace cirrus::reports {

// Picoseconds as exact microseconds: 12000345 ps -> "12.000345".
std::string trace_micros(std::int64_t ps);
// A JSON string literal, quoted and escaped.
std::string trace_string(const std::string& s);

// The "traceEvents" array's body: events, each a JSON object's inside, one a line.
class TraceEvents {
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

}  // namespace cirrus::reports
