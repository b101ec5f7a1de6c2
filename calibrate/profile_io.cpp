#include "calibrate/profile_io.hpp"

#include <ctime>

#include <fmt/format.h>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/atomic_write.hpp"
#include "common/input_error.hpp"
#include "common/json_reader.hpp"
#include "common/read_file.hpp"

namespace cirrus::calibrate {

// Text a profile carries from elsewhere (a log's device name, a file's path) may not be UTF-8;
// writing it replaces such bytes with U+FFFD instead of failing half-way through a profile.
constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
namespace {

using models::Profile;
using Ordered = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

std::vector<std::string> names_of(std::initializer_list<const char*> names) {
  return {names.begin(), names.end()};
}

template <typename E>
E enum_field(const JsonNode& row, const char* key, std::optional<E> (*parse)(const std::string&),
             std::initializer_list<const char*> allowed) {
  const JsonNode n = row.at(key);
  const std::string s = n.as_enum(names_of(allowed));
  return *parse(s);
}

std::int64_t size_field(const JsonNode& row, const char* key) {
  return row.at(key).as_positive_int();
}

// A derived column must agree with the measured ones within rounding.
void check_derived(const JsonNode& row, const char* key, double stated, double computed,
                   double abs_tol, double rel_tol) {
  if (std::fabs(stated - computed) > abs_tol + rel_tol * std::fabs(computed)) {
    row.at(key).fail(fmt::format("{:.6g} (what the row's other columns give)", computed));
  }
}

models::Precision dtype_field(const JsonNode& row) {
  return enum_field<models::Precision>(row, "dtype", &models::parse_precision,
                                       {"fp32", "tf32", "fp16", "bf16", "fp8"});
}

models::ProfileDevice read_device(const JsonNode& n) {
  n.check_keys({"name", "gpu", "count", "sm_count", "compute_capability", "sm_clock_mhz",
                "memory_clock_mhz", "memory_bytes", "l2_bytes"});
  models::ProfileDevice d;
  d.name = n.at("name").as_string();
  if (d.name.empty()) n.at("name").fail("the device name");
  // A device that matches no preset has an empty id.
  std::vector<std::string> gpus{""};
  for (const std::string& id : models::gpu_ids()) gpus.push_back(id);
  d.gpu = n.at("gpu").as_enum(gpus);
  d.count = static_cast<int>(n.at("count").as_int());
  if (d.count < 0) n.at("count").fail("a count >= 0 (0: unknown)");
  d.sm_count = static_cast<int>(n.at("sm_count").as_int());
  if (d.sm_count < 0) n.at("sm_count").fail("a count >= 0 (0: unknown)");
  d.compute_capability = n.at("compute_capability").as_string();
  d.sm_clock_mhz = n.at("sm_clock_mhz").as_non_negative();
  d.memory_clock_mhz = n.at("memory_clock_mhz").as_non_negative();
  d.memory_bytes = n.at("memory_bytes").as_non_negative();
  d.l2_bytes = n.at("l2_bytes").as_non_negative();
  return d;
}

models::ProfileVersions read_versions(const JsonNode& n) {
  n.check_keys({"driver", "cuda_driver", "cuda_runtime", "cublas", "cudnn", "nccl"});
  models::ProfileVersions v;
  v.driver = n.at("driver").as_string();
  v.cuda_driver = n.at("cuda_driver").as_string();
  v.cuda_runtime = n.at("cuda_runtime").as_string();
  v.cublas = n.at("cublas").as_string();
  v.cudnn = n.at("cudnn").as_string();
  v.nccl = n.at("nccl").as_string();
  return v;
}

// Optional: only imported public profiles have one.
models::ProfileSource read_source(const JsonNode& n) {
  n.check_keys({"name", "url", "commit", "date", "licence", "measured"});
  models::ProfileSource src;
  auto text = [&](const char* key) {
    std::string v = n.at(key).as_string();
    if (v.empty()) n.at(key).fail(fmt::format("the source's {}", key));
    return v;
  };
  src.name = text("name");
  src.url = text("url");
  src.commit = text("commit");
  src.date = text("date");
  src.licence = text("licence");
  src.measured = text("measured");
  return src;
}

// Optional: only profiles derived for a compute twin (models/compute/profile_scaling.hpp) have one.
models::ProfileScaling read_scaled(const JsonNode& n) {
  n.check_keys({"from_gpu", "compute", "memory"});
  models::ProfileScaling sc;
  sc.from_gpu = n.at("from_gpu").as_enum(models::gpu_ids());
  sc.compute = n.at("compute").as_positive();
  sc.memory = n.at("memory").as_positive();
  return sc;
}

models::GemmPoint read_gemm(const JsonNode& r) {
  r.check_keys({"dtype", "m", "n", "k", "batch", "seconds", "tflops"});
  models::GemmPoint g;
  g.dtype = dtype_field(r);
  g.m = size_field(r, "m");
  g.n = size_field(r, "n");
  g.k = size_field(r, "k");
  g.batch = size_field(r, "batch");
  g.seconds = r.at("seconds").as_positive();
  g.tflops = r.at("tflops").as_positive();
  const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) *
                       static_cast<double>(g.k) * static_cast<double>(g.batch);
  check_derived(r, "tflops", g.tflops, flops / g.seconds / 1e12, 0, 0.01);
  return g;
}

models::AttentionPoint read_attention(const JsonNode& r) {
  r.check_keys({"impl", "dtype", "causal", "batch", "heads", "seq", "head_dim", "fwd_s", "bwd_s"});
  models::AttentionPoint a;
  a.impl = enum_field<models::AttentionImpl>(r, "impl", &models::parse_attention_impl,
                                             {"fused", "unfused"});
  a.dtype = dtype_field(r);
  a.causal = r.at("causal").as_bool();
  a.batch = size_field(r, "batch");
  a.heads = size_field(r, "heads");
  a.seq = size_field(r, "seq");
  a.head_dim = size_field(r, "head_dim");
  // 0 marks a pass that was not measured; at least one must be.
  a.fwd_s = r.at("fwd_s").as_non_negative();
  a.bwd_s = r.at("bwd_s").as_non_negative();
  if (a.fwd_s == 0 && a.bwd_s == 0) r.at("fwd_s").fail("a positive time in fwd_s or bwd_s");
  return a;
}

models::MemoryPoint read_memory(const JsonNode& r) {
  r.check_keys({"kind", "bytes", "seconds", "gbps"});
  models::MemoryPoint m;
  m.kind =
      enum_field<models::MemoryKernel>(r, "kind", &models::parse_memory_kernel,
                                       {"copy", "elementwise", "layernorm", "softmax", "adam"});
  m.bytes = size_field(r, "bytes");
  m.seconds = r.at("seconds").as_positive();
  m.gbps = r.at("gbps").as_positive();
  check_derived(r, "gbps", m.gbps, static_cast<double>(m.bytes) / m.seconds / 1e9, 0, 0.01);
  return m;
}

models::HostCopyPoint read_host_copy(const JsonNode& r) {
  r.check_keys({"direction", "bytes", "seconds", "gbps"});
  models::HostCopyPoint c;
  c.direction = enum_field<models::CopyDirection>(r, "direction", &models::parse_copy_direction,
                                                  {"h2d", "d2h", "d2d"});
  c.bytes = size_field(r, "bytes");
  c.seconds = r.at("seconds").as_positive();
  c.gbps = r.at("gbps").as_positive();
  check_derived(r, "gbps", c.gbps, static_cast<double>(c.bytes) / c.seconds / 1e9, 0, 0.01);
  return c;
}

models::CollectivePoint read_collective(const JsonNode& r) {
  r.check_keys({"op", "ranks", "nodes", "bytes", "time_us", "algbw_gbs", "busbw_gbs", "source"});
  models::CollectivePoint c;
  c.op = enum_field<models::CollectiveKind>(
      r, "op", &models::parse_collective_kind,
      {"all_reduce", "all_gather", "reduce_scatter", "all_to_all", "send_recv", "broadcast"});
  c.ranks = static_cast<int>(r.at("ranks").as_positive_int());
  if (c.ranks < 2) r.at("ranks").fail("at least 2 ranks");
  c.nodes = static_cast<int>(r.at("nodes").as_positive_int());
  if (c.nodes > c.ranks) r.at("nodes").fail(fmt::format("at most ranks ({}) nodes", c.ranks));
  c.bytes = size_field(r, "bytes");
  c.time_us = r.at("time_us").as_positive();
  c.algbw_gbs = r.at("algbw_gbs").as_non_negative();
  c.busbw_gbs = r.at("busbw_gbs").as_non_negative();
  c.source = enum_field<models::CollectiveSource>(r, "source", &models::parse_collective_source,
                                                  {"calibrate", "nccl-tests", "public"});
  // nccl-tests prints GB/s with two decimals: allow that rounding.
  const double algbw = static_cast<double>(c.bytes) / (c.time_us * 1e3);
  check_derived(r, "algbw_gbs", c.algbw_gbs, algbw, 0.011, 0.01);
  check_derived(r, "busbw_gbs", c.busbw_gbs, algbw * models::bus_factor(c.op, c.ranks), 0.011,
                0.01);
  return c;
}

models::CurveFit read_fit(const JsonNode& r) {
  r.check_keys({"family", "key", "alpha_s", "rate", "rms_rel_error", "points", "x_min", "x_max"});
  models::CurveFit f;
  f.family =
      enum_field<models::FitFamily>(r, "family", &models::parse_fit_family,
                                    {"gemm", "attention", "memory", "host_copy", "collective"});
  f.key = r.at("key").as_string();
  if (f.key.empty()) r.at("key").fail("the key of the rows it fits");
  f.alpha_s = r.at("alpha_s").as_non_negative();
  f.rate = r.at("rate").as_positive();
  f.rms_rel_error = r.at("rms_rel_error").as_non_negative();
  f.points = static_cast<int>(r.at("points").as_positive_int());
  if (f.points < 2) r.at("points").fail("at least 2 points");
  f.x_min = r.at("x_min").as_positive();
  f.x_max = r.at("x_max").as_positive();
  if (f.x_max < f.x_min) r.at("x_max").fail(fmt::format("at least x_min ({})", f.x_min));
  return f;
}

template <typename T>
std::vector<T> read_table(const JsonNode& root, const char* key, T (*read_row)(const JsonNode&)) {
  std::vector<T> out;
  const JsonNode table = root.at(key);
  if (!table.is_array()) table.fail("an array of rows");
  for (std::size_t i = 0; i < table.size(); ++i) out.push_back(read_row(table.index(i)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

Ordered row(const models::GemmPoint& g) {
  return Ordered{{"dtype", models::to_string(g.dtype)},
                 {"m", g.m},
                 {"n", g.n},
                 {"k", g.k},
                 {"batch", g.batch},
                 {"seconds", g.seconds},
                 {"tflops", g.tflops}};
}
Ordered row(const models::AttentionPoint& a) {
  return Ordered{{"impl", models::to_string(a.impl)},
                 {"dtype", models::to_string(a.dtype)},
                 {"causal", a.causal},
                 {"batch", a.batch},
                 {"heads", a.heads},
                 {"seq", a.seq},
                 {"head_dim", a.head_dim},
                 {"fwd_s", a.fwd_s},
                 {"bwd_s", a.bwd_s}};
}
Ordered row(const models::MemoryPoint& m) {
  return Ordered{{"kind", models::to_string(m.kind)},
                 {"bytes", m.bytes},
                 {"seconds", m.seconds},
                 {"gbps", m.gbps}};
}
Ordered row(const models::HostCopyPoint& c) {
  return Ordered{{"direction", models::to_string(c.direction)},
                 {"bytes", c.bytes},
                 {"seconds", c.seconds},
                 {"gbps", c.gbps}};
}
Ordered row(const models::CollectivePoint& c) {
  return Ordered{{"op", models::to_string(c.op)},
                 {"ranks", c.ranks},
                 {"nodes", c.nodes},
                 {"bytes", c.bytes},
                 {"time_us", c.time_us},
                 {"algbw_gbs", c.algbw_gbs},
                 {"busbw_gbs", c.busbw_gbs},
                 {"source", models::to_string(c.source)}};
}
Ordered row(const models::CurveFit& f) {
  return Ordered{{"family", models::to_string(f.family)},
                 {"key", f.key},
                 {"alpha_s", f.alpha_s},
                 {"rate", f.rate},
                 {"rms_rel_error", f.rms_rel_error},
                 {"points", f.points},
                 {"x_min", f.x_min},
                 {"x_max", f.x_max}};
}

// Compact one-line JSON for a value; ", " and ": " separators read better than nlohmann's
// bare ones, and strings are re-escaped by nlohmann so this stays valid JSON.
std::string compact(const Ordered& j) {
  if (j.is_object()) {
    std::string out = "{";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out +=
          Ordered(it.key()).dump(-1, ' ', false, kReplaceInvalidUtf8) + ": " + compact(it.value());
    }
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < j.size(); ++i) out += (i ? ", " : "") + compact(j[i]);
    return out + "]";
  }
  return j.dump(-1, ' ', false, kReplaceInvalidUtf8);
}

template <typename T>
std::string table(const char* key, const std::vector<T>& rows, bool last = false) {
  std::string out = fmt::format("  \"{}\": [", key);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += (i ? ",\n    " : "\n    ") + compact(row(rows[i]));
  }
  out += rows.empty() ? "]" : "\n  ]";
  return out + (last ? "\n" : ",\n");
}

std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? ",\n    " : "\n    ") + Ordered(items[i]).dump(-1, ' ', false, kReplaceInvalidUtf8);
  }
  return out + (items.empty() ? "]" : "\n  ]");
}

}  // namespace

models::Profile parse_profile(const std::string& text, const std::string& file) {
  const nlohmann::json doc = JsonNode::parse(text, file);
  const JsonNode root(doc, file, "");
  root.check_keys({"cirrus_profile", "device", "versions", "date", "mode", "source", "scaled",
                   "notes", "gemm", "attention", "memory", "host_copy", "collectives", "fits"});
  const JsonNode version = root.at("cirrus_profile");
  if (version.as_int() != kProfileVersion) {
    version.fail(fmt::format("profile format version {}", kProfileVersion));
  }
  Profile p;
  p.device = read_device(root.at("device"));
  p.versions = read_versions(root.at("versions"));
  p.date = root.at("date").as_string();
  if (p.date.empty()) root.at("date").fail("the date of the measurement (ISO 8601)");
  p.mode = root.at("mode").as_enum({"full", "quick", "import"});
  if (const auto src = root.find("source")) p.source = read_source(*src);
  if (const auto sc = root.find("scaled")) p.scaled = read_scaled(*sc);
  const JsonNode notes = root.at("notes");
  for (std::size_t i = 0; i < notes.size(); ++i) p.notes.push_back(notes.index(i).as_string());
  p.gemm = read_table(root, "gemm", &read_gemm);
  p.attention = read_table(root, "attention", &read_attention);
  p.memory = read_table(root, "memory", &read_memory);
  p.host_copy = read_table(root, "host_copy", &read_host_copy);
  p.collectives = read_table(root, "collectives", &read_collective);
  p.fits = read_table(root, "fits", &read_fit);
  return p;
}

models::Profile read_profile(const std::string& path) {
  return parse_profile(read_file(path), path);
}

std::string format_profile(const models::Profile& p) {
  const auto& d = p.device;
  const Ordered device{{"name", d.name},
                       {"gpu", d.gpu},
                       {"count", d.count},
                       {"sm_count", d.sm_count},
                       {"compute_capability", d.compute_capability},
                       {"sm_clock_mhz", d.sm_clock_mhz},
                       {"memory_clock_mhz", d.memory_clock_mhz},
                       {"memory_bytes", d.memory_bytes},
                       {"l2_bytes", d.l2_bytes}};
  const auto& v = p.versions;
  const Ordered versions{{"driver", v.driver},
                         {"cuda_driver", v.cuda_driver},
                         {"cuda_runtime", v.cuda_runtime},
                         {"cublas", v.cublas},
                         {"cudnn", v.cudnn},
                         {"nccl", v.nccl}};
  std::string out = "{\n";
  out += fmt::format("  \"cirrus_profile\": {},\n", kProfileVersion);
  out += "  \"device\": " + compact(device) + ",\n";
  out += "  \"versions\": " + compact(versions) + ",\n";
  out += "  \"date\": " + Ordered(p.date).dump(-1, ' ', false, kReplaceInvalidUtf8) + ",\n";
  out += "  \"mode\": " + Ordered(p.mode).dump(-1, ' ', false, kReplaceInvalidUtf8) + ",\n";
  if (p.source) {
    const auto& src = *p.source;
    out += "  \"source\": " +
           compact(Ordered{{"name", src.name},
                           {"url", src.url},
                           {"commit", src.commit},
                           {"date", src.date},
                           {"licence", src.licence},
                           {"measured", src.measured}}) +
           ",\n";
  }
  if (p.scaled) {
    out += "  \"scaled\": " +
           compact(Ordered{{"from_gpu", p.scaled->from_gpu},
                           {"compute", p.scaled->compute},
                           {"memory", p.scaled->memory}}) +
           ",\n";
  }
  out += "  \"notes\": " + string_list(p.notes) + ",\n";
  out += table("gemm", p.gemm);
  out += table("attention", p.attention);
  out += table("memory", p.memory);
  out += table("host_copy", p.host_copy);
  out += table("collectives", p.collectives);
  out += table("fits", p.fits, true);
  return out + "}\n";
}

void write_profile(const std::string& path, const models::Profile& profile) {
  write_file_atomic(path, format_profile(profile));
}

double round_significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value;
  return std::stod(fmt::format("{:.{}g}", value, digits));
}

}  // namespace cirrus::calibrate
