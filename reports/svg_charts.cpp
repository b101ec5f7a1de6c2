#include "reports/svg_charts.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace cirrus::reports::svg {
namespace {

constexpr double kWidth = 1100;  // viewBox width; the chart scales to its container
constexpr double kCharW = 6.4;   // average width of a 12 px sans-serif character

std::string num(double v) { return fmt::format("{:.1f}", v); }

// Cuts a label to `chars`, with an ellipsis.
std::string fit(const std::string& s, std::size_t chars) {
  if (s.size() <= chars) return s;
  return s.substr(0, chars > 1 ? chars - 1 : 0) + "\u2026";
}

std::string open_svg(const std::string& id, double height, const std::string& title) {
  return fmt::format(
      "<svg id=\"{}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\"><title>{}</title>\n"
      "<text x=\"0\" y=\"18\" class=\"ctitle\">{}</text>\n",
      escape(id), num(kWidth), num(height), escape(title), escape(title), escape(title));
}

// A legend from `y`, wrapping within the chart width; returns the y below it.
double legend(std::string& out, const std::vector<Series>& series, double y,
              const std::vector<std::string>& extra_marks = {}) {
  double x = 0;
  auto item = [&](const std::string& mark, const std::string& name) {
    const double w = 22 + static_cast<double>(name.size()) * kCharW + 18;
    if (x + w > kWidth && x > 0) {
      x = 0;
      y += 18;
    }
    out += fmt::format(
        "<g transform=\"translate({},{})\">{}<text x=\"18\" y=\"10\" "
        "class=\"legend\">{}</text></g>\n",
        num(x), num(y), mark, escape(name));
    x += w;
  };
  for (const auto& s : series) {
    item(fmt::format("<rect width=\"12\" height=\"12\" fill=\"{}\"/>", escape(s.color)), s.name);
  }
  for (std::size_t i = 0; i + 1 < extra_marks.size(); i += 2)
    item(extra_marks[i], extra_marks[i + 1]);
  return y + 24;
}

void x_axis(std::string& out, const Scale& s, double y, double top, const std::string& label) {
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n",
                     num(s.px_lo), num(y), num(s.px_hi), num(y));
  for (double t : s.ticks()) {
    const double x = s(t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"grid\"/>"
        "<text x=\"{0}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4}</text>\n",
        num(x), num(top), num(y + 4), num(y + 16), escape(compact(t)));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"alabel\" text-anchor=\"middle\">{}</text>\n",
                     num((s.px_lo + s.px_hi) / 2), num(y + 34), escape(label));
}

void y_axis(std::string& out, const Scale& s, double x, double right, const std::string& label) {
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n", num(x),
                     num(s.px_lo), num(x), num(s.px_hi));
  for (double t : s.ticks()) {
    const double y = s(t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"grid\"/>"
        "<text x=\"{3}\" y=\"{4}\" class=\"tick\" text-anchor=\"end\">{5}</text>\n",
        num(x - 4), num(y), num(right), num(x - 7), num(y + 4), escape(compact(t)));
  }
  const double mid = (s.px_lo + s.px_hi) / 2;
  out += fmt::format(
      "<text transform=\"translate({},{}) rotate(-90)\" class=\"alabel\" "
      "text-anchor=\"middle\">{}</text>\n",
      num(14), num(mid), escape(label));
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string compact(double v) {
  if (!std::isfinite(v)) return "\u221e";
  const double a = std::fabs(v);
  struct Suffix {
    double scale;
    const char* s;
  };
  for (const Suffix& x :
       {Suffix{1e12, "T"}, Suffix{1e9, "B"}, Suffix{1e6, "M"}, Suffix{1e3, "k"}}) {
    if (a >= x.scale) return fmt::format("{:.3g}{}", v / x.scale, x.s);
  }
  if (a == 0) return "0";
  if (a < 1e-3) return fmt::format("{:.2e}", v);
  return fmt::format("{:.3g}", v);
}

double Scale::operator()(double v) const {
  double f;
  if (log) {
    const double l = std::log10(std::max(v, lo));
    f = (l - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  } else {
    f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  }
  return px_lo + f * (px_hi - px_lo);
}

std::vector<double> Scale::ticks() const {
  std::vector<double> out;
  if (!(hi > lo)) {
    out.push_back(lo);
    return out;
  }
  if (log) {
    const int d0 = static_cast<int>(std::floor(std::log10(lo)));
    const int d1 = static_cast<int>(std::ceil(std::log10(hi)));
    const bool dense = d1 - d0 <= 3;
    for (int d = d0; d <= d1; ++d) {
      for (double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double t = m * std::pow(10.0, d);
        if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) out.push_back(t);
      }
    }
    return out;
  }
  const double raw = (hi - lo) / 6;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return out;
}

Scale fit_scale(const std::vector<double>& values, double px_lo, double px_hi, bool from_zero,
                double log_ratio) {
  Scale s;
  s.px_lo = px_lo;
  s.px_hi = px_hi;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (!from_zero && lo > 0 && hi / lo > log_ratio) {
    s.log = true;
    s.lo = std::pow(10.0, std::floor(std::log10(lo)));
    s.hi = std::pow(10.0, std::ceil(std::log10(hi)));
    return s;
  }
  if (from_zero) lo = std::min(lo, 0.0);
  if (hi <= lo) {
    const double pad = lo != 0 ? std::fabs(lo) * 0.1 : 1.0;
    lo -= pad;
    hi += pad;
    if (from_zero) lo = std::min(0.0, lo + pad);
  } else if (!from_zero) {
    const double pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
  } else {
    hi += (hi - lo) * 0.04;
  }
  s.lo = lo;
  s.hi = hi;
  return s;
}

std::string stacked_bars(const StackedBars& c) {
  const double label_w = 430;  // room for a candidate's whole label (66 characters)
  const double bar_h = 18, gap = 10;
  std::string body;
  std::vector<std::string> marks;
  const bool has_marker =
      std::any_of(c.markers.begin(), c.markers.end(), [](const auto& m) { return m.has_value(); });
  if (has_marker) {
    marks = {"<line x1=\"6\" y1=\"-2\" x2=\"6\" y2=\"14\" class=\"marker\"/>", c.marker_label};
  }
  double y = legend(body, c.series, 32, marks);
  const double top = y;
  std::vector<double> extent{0};
  for (std::size_t b = 0; b < c.bars.size(); ++b) {
    double sum = 0;
    for (double v : c.values[b]) sum += std::max(0.0, v);
    extent.push_back(sum);
    if (b < c.markers.size() && c.markers[b]) extent.push_back(*c.markers[b]);
  }
  const double note_w = c.notes.empty() ? 20 : 150;
  const Scale xs = fit_scale(extent, label_w, kWidth - note_w, true);
  const double plot_h = static_cast<double>(c.bars.size()) * (bar_h + gap);
  const double axis_y = top + plot_h + 4;
  std::string bars;
  for (std::size_t b = 0; b < c.bars.size(); ++b) {
    const double by = top + static_cast<double>(b) * (bar_h + gap);
    bars += fmt::format(
        "<text x=\"{}\" y=\"{}\" class=\"blabel\" text-anchor=\"end\"><title>{}"
        "</title>{}</text>\n",
        num(label_w - 8), num(by + 13), escape(c.bars[b]), escape(fit(c.bars[b], 66)));
    double acc = 0;
    double total = 0;
    for (double v : c.values[b]) total += std::max(0.0, v);
    for (std::size_t s = 0; s < c.series.size() && s < c.values[b].size(); ++s) {
      const double v = std::max(0.0, c.values[b][s]);
      if (v <= 0) continue;
      const double x0 = xs(acc);
      const double x1 = xs(acc + v);
      bars += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} {} "
          "({:.1f}%)</title></rect>\n",
          num(x0), num(by), fmt::format("{:.2f}", std::max(0.3, x1 - x0)), num(bar_h),
          escape(c.series[s].color), escape(c.series[s].name), escape(compact(v)), escape(c.unit),
          total > 0 ? 100 * v / total : 0.0);
      acc += v;
    }
    if (b < c.markers.size() && c.markers[b]) {
      const double mx = xs(*c.markers[b]);
      bars += fmt::format(
          "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"marker\">"
          "<title>{3}: {4} {5}</title></line>\n",
          num(mx), num(by - 3), num(by + bar_h + 3), escape(c.marker_label),
          escape(compact(*c.markers[b])), escape(c.unit));
    }
    const std::string note = b < c.notes.size() ? c.notes[b] : compact(total) + " " + c.unit;
    // Right of the bar, and of its marker when the marker is within reach of the text.
    double note_x = xs(acc) + 5;
    if (b < c.markers.size() && c.markers[b] && xs(*c.markers[b]) + 2 > xs(acc)) {
      const double mx = xs(*c.markers[b]);
      if (mx < note_x + static_cast<double>(note.size()) * kCharW) note_x = mx + 5;
    }
    bars += fmt::format("<text x=\"{}\" y=\"{}\" class=\"tick\">{}</text>\n", num(note_x),
                        num(by + 13), escape(fit(note, 22)));
  }
  std::string out = open_svg(c.id, axis_y + 48, c.title);
  out += body;
  x_axis(out, xs, axis_y, top - 4, c.x_label);
  out += bars;
  out += "</svg>\n";
  return out;
}

std::string scatter(const Scatter& c) {
  std::string body;
  std::vector<Series> none;
  std::vector<std::string> marks = {
      "<circle cx=\"6\" cy=\"6\" r=\"2.5\" class=\"dot\"/>",   c.cloud_name,
      "<circle cx=\"6\" cy=\"6\" r=\"4.5\" class=\"front\"/>", c.frontier_name,
      "<circle cx=\"6\" cy=\"6\" r=\"6\" class=\"chosen\"/>",  c.chosen_name};
  const bool any_broken = std::any_of(c.frontier.begin(), c.frontier.end(),
                                      [](const LabelledPoint& p) { return p.breaks_limits; });
  if (any_broken) {
    marks.push_back("<circle cx=\"6\" cy=\"6\" r=\"4.5\" class=\"front broken\"/>");
    marks.push_back("outside the limits");
  }
  std::vector<double> xsv, ysv;
  auto collect = [&](const LabelledPoint& p) {
    xsv.push_back(p.x);
    ysv.push_back(p.y);
  };
  if (!c.zoom_to_frontier || c.frontier.empty()) {
    for (const auto& p : c.cloud) collect(p);
  }
  for (const auto& p : c.frontier) collect(p);
  if (c.chosen) collect(*c.chosen);
  if (c.x_limit) xsv.push_back(*c.x_limit);
  if (c.y_limit) ysv.push_back(*c.y_limit);
  const auto [x_lo, x_hi] = std::minmax_element(xsv.begin(), xsv.end());
  const auto [y_lo, y_hi] = std::minmax_element(ysv.begin(), ysv.end());
  const double x_min = *x_lo, x_max = *x_hi, y_min = *y_lo, y_max = *y_hi;
  auto inside = [&](const LabelledPoint& p) {
    return p.x >= x_min && p.x <= x_max && p.y >= y_min && p.y <= y_max;
  };
  const auto off_chart = static_cast<std::size_t>(
      std::count_if(c.cloud.begin(), c.cloud.end(), [&](const auto& p) { return !inside(p); }));
  std::string note = c.note;
  if (off_chart > 0) {
    note += fmt::format("{}{} slower or dearer than the frontier's range not drawn",
                        note.empty() ? "" : "; ", off_chart);
  }
  double y = legend(body, none, 32, marks);
  if (!note.empty()) {
    body +=
        fmt::format("<text x=\"0\" y=\"{}\" class=\"note\">{}</text>\n", num(y + 2), escape(note));
    y += 18;
  }
  const double top = y + 6;
  const double height = 470;
  const double bottom = top + height - 60;
  const Scale xs = fit_scale(xsv, 90, kWidth - 230, false, 10.0);
  Scale ys = fit_scale(ysv, bottom, top, false, 10.0);
  std::string out = open_svg(c.id, bottom + 50, c.title);
  out += body;
  x_axis(out, xs, bottom, top, c.x_label);
  y_axis(out, ys, 90, kWidth - 230, c.y_label);
  if (c.x_limit) {
    const double px = xs(*c.x_limit);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"limit\"/>"
        "<text x=\"{3}\" y=\"{4}\" class=\"note\" text-anchor=\"end\">{5}</text>\n",
        num(px), num(top), num(bottom), num(px - 4), num(top + 12), escape(c.x_limit_name));
  }
  if (c.y_limit) {
    const double py = ys(*c.y_limit);
    out += fmt::format(
        "<line x1=\"90\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" class=\"limit\"/>"
        "<text x=\"{2}\" y=\"{3}\" class=\"note\" text-anchor=\"end\">{4}</text>\n",
        num(py), num(kWidth - 230), num(kWidth - 234), num(py - 4), escape(c.y_limit_name));
  }
  // The cloud, thinned to one dot per 3 px cell: thousands of candidates stay a few kB.
  std::set<std::pair<long, long>> cells;
  std::string dots;
  for (const auto& p : c.cloud) {
    if (!inside(p)) continue;
    const double px = xs(p.x), py = ys(p.y);
    const std::pair<long, long> cell{std::lround(px / 3), std::lround(py / 3)};
    if (!cells.insert(cell).second) continue;
    dots += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\" class=\"dot\"/>", num(px), num(py));
  }
  out += "<g>" + dots + "</g>\n";
  if (c.frontier.size() > 1) {
    std::string path;
    for (const auto& p : c.frontier) {
      path += fmt::format("{}{},{}", path.empty() ? "M" : " L", num(xs(p.x)), num(ys(p.y)));
    }
    out += fmt::format("<path d=\"{}\" class=\"frontline\"/>\n", path);
  }
  // Labels: the chosen one first, then the frontier's (evenly chosen), each right of its point
  // (left of it near the right edge), moved up or down a line or two when it would collide
  // with one already placed, and left to the tooltip when no place is free.
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed;
  auto place = [&](double px, double py, double dy0, const std::string& text, double char_w,
                   const char* cls, double gap) {
    const bool left = px > kWidth - 420;
    const double w = static_cast<double>(text.size()) * char_w;
    for (const double shift : {0.0, -14.0, 14.0, -28.0, 28.0, -42.0, -56.0, -70.0}) {
      const double ly = py + dy0 + shift;
      const double x0 = left ? px - gap - w : px + gap;
      const Box b{x0, ly - 11, x0 + w, ly + 3};
      const bool clash = std::any_of(placed.begin(), placed.end(), [&](const Box& o) {
        return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1;
      });
      if (clash || b.y0 < top - 4 || b.y1 > bottom - 2) continue;
      placed.push_back(b);
      // A label moved off its point is tied to it by a thin leader line.
      const std::string leader =
          shift == 0.0 ? std::string()
                       : fmt::format(
                             "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
                             "class=\"leader\"/>",
                             num(px), num(py), num(left ? px - gap : px + gap), num(ly - 4));
      return leader + fmt::format(
                          "<text x=\"{}\" y=\"{}\" class=\"{}\" text-anchor=\"{}\">{}"
                          "</text>\n",
                          num(left ? px - gap : px + gap), num(ly), cls, left ? "end" : "start",
                          escape(text));
    }
    return std::string();
  };
  const std::size_t n = c.frontier.size();
  const std::size_t every =
      n > c.max_labels && c.max_labels > 0 ? (n + c.max_labels - 1) / c.max_labels : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = c.frontier[i];
    placed.push_back(Box{xs(p.x) - 5, ys(p.y) - 5, xs(p.x) + 5, ys(p.y) + 5});
    out += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"4.5\" class=\"front{}\"><title>{}</title>"
        "</circle>\n",
        num(xs(p.x)), num(ys(p.y)), p.breaks_limits ? " broken" : "", escape(p.tooltip));
  }
  std::string labels;
  if (c.chosen) {
    const double px = xs(c.chosen->x), py = ys(c.chosen->y);
    out += fmt::format(
        "<circle cx=\"{}\" cy=\"{}\" r=\"9\" class=\"chosen\"><title>{}</title>"
        "</circle>\n",
        num(px), num(py), escape(c.chosen->tooltip));
    placed.push_back(Box{px - 10, py - 10, px + 10, py + 10});
    labels += place(px, py, 18, fit(c.chosen->label, 52), kCharW * 1.05, "clabel", 12);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = c.frontier[i];
    // The chosen point carries its own label.
    if (c.chosen && p.x == c.chosen->x && p.y == c.chosen->y) continue;
    if (i % every == 0 || i + 1 == n) {
      labels += place(xs(p.x), ys(p.y), -6, fit(p.label, 48), kCharW * 0.92, "plabel", 8);
    }
  }
  out += labels;
  out += "</svg>\n";
  return out;
}

std::string lanes(const Lanes& c) {
  std::string body;
  const std::vector<std::string> marks = {"<rect width=\"12\" height=\"12\" class=\"idle\"/>",
                                          c.idle_name};
  const double top = legend(body, c.series, 32, marks);
  const double label_w = 130, lane_h = 26, gap = 6;
  double y = top;
  std::vector<double> row_y, row_hh;
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    const double h = lane_h * (r < c.row_height.size() ? c.row_height[r] : 1.0);
    row_y.push_back(y);
    row_hh.push_back(h);
    y += h + gap;
  }
  Scale xs;
  xs.lo = 0;
  xs.hi = c.x_max > 0 ? c.x_max : 1;
  xs.px_lo = label_w;
  xs.px_hi = kWidth - 10;
  const double axis_y = y + 2;
  std::string out = open_svg(c.id, axis_y + 48, c.title);
  out += body;
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"idle\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"blabel\" text-anchor=\"end\">{}</text>\n",
        num(label_w), num(row_y[r]), num(xs.px_hi - label_w), num(row_hh[r]), num(label_w - 8),
        num(row_y[r] + row_hh[r] / 2 + 4), escape(c.rows[r]));
  }
  x_axis(out, xs, axis_y, top - 2, c.x_label);
  for (const auto& b : c.blocks) {
    if (b.row < 0 || static_cast<std::size_t>(b.row) >= c.rows.size()) continue;
    const auto r = static_cast<std::size_t>(b.row);
    const double x0 = xs(b.start), x1 = xs(b.end);
    const std::string color = b.series >= 0 && static_cast<std::size_t>(b.series) < c.series.size()
                                  ? c.series[static_cast<std::size_t>(b.series)].color
                                  : "#888";
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
        "<title>{}</title></rect>",
        num(x0), num(row_y[r]), fmt::format("{:.2f}", std::max(0.4, x1 - x0)), num(row_hh[r]),
        escape(color), escape(b.tooltip));
    if (!b.text.empty() && x1 - x0 > static_cast<double>(b.text.size()) * 6.5 + 4) {
      out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"btext\" text-anchor=\"middle\">{}</text>",
                         num((x0 + x1) / 2), num(row_y[r] + row_hh[r] / 2 + 4), escape(b.text));
    }
    out += "\n";
  }
  out += "</svg>\n";
  return out;
}

std::string line_chart(const LineChart& c) {
  std::string body;
  std::vector<Series> series;
  for (const Line& l : c.lines) series.push_back({l.name, l.color});
  std::vector<std::string> marks;
  if (!c.x_limits.empty() || !c.y_limits.empty()) {
    marks = {"<line x1=\"0\" y1=\"6\" x2=\"12\" y2=\"6\" class=\"limit\"/>", "SLO"};
  }
  double y = legend(body, series, 32, marks);
  if (!c.note.empty()) {
    body += fmt::format("<text x=\"0\" y=\"{}\" class=\"note\">{}</text>\n", num(y + 2),
                        escape(c.note));
    y += 18;
  }
  std::vector<double> xs, ys;
  for (const Line& l : c.lines) {
    for (const auto& [px, py] : l.points) {
      xs.push_back(px);
      ys.push_back(py);
    }
  }
  for (const auto& m : c.x_limits) xs.push_back(m.value);
  for (const auto& m : c.y_limits) ys.push_back(m.value);
  if (xs.empty()) {
    xs = {0, 1};
    ys = {0, 1};
  }
  const double top = y + 6, height = 360, left = 70, right = kWidth - 20;
  const Scale sx = fit_scale(xs, left, right, false, c.x_log ? 30.0 : 1e300);
  Scale sy;
  if (c.y_range) {
    sy = Scale{c.y_range->first, c.y_range->second, top + height, top, false};
  } else {
    sy = fit_scale(ys, top + height, top, true, 1e300);
  }
  x_axis(body, sx, top + height, top, c.x_label);
  y_axis(body, sy, left, right, c.y_label);
  for (const auto& m : c.x_limits) {
    const double x = sx(m.value);
    body += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"limit\"/>"
        "<text x=\"{3}\" y=\"{4}\" class=\"note\">{5}</text>\n",
        num(x), num(top), num(top + height), num(x + 4), num(top + 12), escape(m.name));
  }
  for (const auto& m : c.y_limits) {
    const double yy = sy(m.value);
    body += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"limit\"/>"
        "<text x=\"{3}\" y=\"{4}\" class=\"note\" text-anchor=\"end\">{5}</text>\n",
        num(left), num(yy), num(right), num(right), num(yy - 4), escape(m.name));
  }
  for (const Line& l : c.lines) {
    if (l.points.empty()) continue;
    std::string d;
    for (std::size_t i = 0; i < l.points.size(); ++i) {
      d += fmt::format("{}{},{}", i == 0 ? "M" : " L", num(sx(l.points[i].first)),
                       num(sy(l.points[i].second)));
    }
    body += fmt::format(
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{}><title>{}</title>"
        "</path>\n",
        d, escape(l.color), l.dashed ? " stroke-dasharray=\"6 4\"" : "", escape(l.name));
    if (!l.dots) continue;
    for (const auto& [px, py] : l.points) {
      body += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}: {} {}, {} {}</title>"
          "</circle>\n",
          num(sx(px)), num(sy(py)), escape(l.color), escape(l.name), escape(compact(px)),
          escape(c.x_unit), escape(compact(py)), escape(c.y_unit));
    }
  }
  return open_svg(c.id, top + height + 48, c.title) + body + "</svg>\n";
}

}  // namespace cirrus::reports::svg
