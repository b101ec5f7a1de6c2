#pragma once
// Small inline-SVG chart primitives for the HTML report: linear and logarithmic scales with
// 1-2-5 ticks, axes with titles and units, legends, horizontal stacked bars (with an optional
// marker per bar, e.g. a GPU's memory capacity), a scatter with a highlighted frontier, and
// lanes of time blocks (a pipeline timeline). Every chart is an <svg> with an id, a viewBox
// (it scales to its container's width), a <title> and a visible heading; values are in the
// <title> tooltips of their marks. Output depends only on the inputs (fixed precision).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cirrus::reports::svg {

// Escapes &, <, >, " and ' for XML text and attributes.
std::string escape(std::string_view text);

// A number for a tick or a label with 3 significant digits and thousands suffixes
// (1.2k, 3.4M, 5.6B), never in exponent form.
std::string compact(double v);

struct Scale {
  double lo = 0, hi = 1;        // data range
  double px_lo = 0, px_hi = 1;  // pixel range
  bool log = false;
  double operator()(double v) const;
  std::vector<double> ticks() const;  // 1-2-5 steps (log: 1, 2, 5 per decade as room allows)
};
// A scale over [min, max] of `values` (padded), logarithmic when they are positive and span
// more than `log_ratio`x.
Scale fit_scale(const std::vector<double>& values, double px_lo, double px_hi, bool from_zero,
                double log_ratio = 30.0);

struct Series {
  std::string name;
  std::string color;  // CSS color
};

struct StackedBars {
  std::string id;
  std::string title;
  std::string x_label;  // with its unit: "time per step (s)"
  std::string unit;     // for tooltips: "s"
  std::vector<Series> series;
  std::vector<std::string> bars;               // one label per bar
  std::vector<std::vector<double>> values;     // [bar][series]
  std::vector<std::optional<double>> markers;  // per bar (may be empty)
  std::string marker_label;                    // legend text of the marker
  std::vector<std::string> notes;              // per bar, drawn after it (may be empty)
};
std::string stacked_bars(const StackedBars& c);

struct LabelledPoint {
  double x = 0, y = 0;
  std::string label;
  std::string tooltip;
  bool breaks_limits = false;  // drawn hollow: outside the objective's deadline or budget
};
struct Scatter {
  std::string id;
  std::string title;
  std::string x_label, y_label;                        // with units
  std::vector<LabelledPoint> cloud;                    // drawn as small dots, no labels
  std::vector<LabelledPoint> frontier;                 // joined and labelled
  std::optional<LabelledPoint> chosen;                 // ringed
  std::string cloud_name, frontier_name, chosen_name;  // legend
  std::string note;                                    // under the title
  std::size_t max_labels = 10;  // frontier labels drawn (evenly chosen); the rest in tooltips
  // Limits drawn as dashed lines with their names ("deadline 30 days", "budget $1.20M").
  std::optional<double> x_limit, y_limit;
  std::string x_limit_name, y_limit_name;
  // Axes fitted to the frontier, the chosen point and the limits, so that a cloud of far
  // slower or dearer candidates does not flatten the frontier into one row; cloud points
  // outside are left out and counted in the note.
  bool zoom_to_frontier = false;
};
std::string scatter(const Scatter& c);

struct Block {
  int row = 0;
  double start = 0, end = 0;
  int series = 0;
  std::string text;  // drawn inside when it fits
  std::string tooltip;
};
struct Lanes {
  std::string id;
  std::string title;
  std::string x_label;
  std::vector<std::string> rows;   // labels, top to bottom
  std::vector<double> row_height;  // relative heights (1 = full lane)
  std::vector<Series> series;
  std::vector<Block> blocks;
  double x_max = 1;
  std::string idle_name = "idle";  // legend entry of the lane background
};
std::string lanes(const Lanes& c);

// Lines through points (latency CDFs, load-latency curves), each its own color, optionally with
// dots at its points; limits drawn as dashed lines with their names (an SLO). The axes fit every
// point and limit; a logarithmic x when asked and the values span more than 30x.
struct Line {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in the order given
  bool dots = false;                              // a dot with a tooltip at each point
  bool dashed = false;
};
struct LineChart {
  std::string id;
  std::string title;
  std::string x_label, y_label;  // with units
  std::string x_unit, y_unit;    // for tooltips
  std::vector<Line> lines;
  struct Limit {
    double value = 0;
    std::string name;
  };
  std::vector<Limit> x_limits, y_limits;             // vertical, horizontal
  bool x_log = false;                                // allow a logarithmic x axis
  std::optional<std::pair<double, double>> y_range;  // fixed y range (a CDF's [0, 1])
  std::string note;                                  // under the title
};
std::string line_chart(const LineChart& c);

}  // namespace cirrus::reports::svg
