#include "calibrate/import_vidur.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "calibrate/fit.hpp"
#include "calibrate/profile_io.hpp"
#include "common/csv.hpp"
#include "common/input_error.hpp"
#include "common/read_file.hpp"

namespace cirrus::calibrate {
namespace {

namespace fs = std::filesystem;
using models::CollectiveKind;
using models::MemoryKernel;

constexpr double kFp16Bytes = 2.0;  // Vidur profiled fp16 weights and activations

// One record of a table, with what an error needs to name a cell.
struct Row {
  const std::string& file;
  const CsvHeader& header;
  const std::vector<std::string>& fields;
  std::size_t line;

  std::string where(std::string_view column) const {
    return fmt::format("line {}, column {}", line, column);
  }
  std::string_view cell(std::string_view column) const {
    const auto i = header.find(column);
    if (!i || *i >= fields.size()) {
      throw InputError(file, where(column), "a value", "a row that ends before this column");
    }
    return trim(fields[*i]);
  }
  double number(std::string_view column) const {
    const std::string_view t = cell(column);
    double v = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) {
      throw InputError(file, where(column), "a number", fmt::format("'{}'", t));
    }
    return v;
  }
  double positive(std::string_view column) const {
    const double v = number(column);
    if (!(v > 0)) throw InputError(file, where(column), "a positive number", fmt::format("{}", v));
    return v;
  }
  // A positive whole number (Vidur writes some as "4096", none as "4096.0"; both are read).
  std::int64_t count(std::string_view column) const {
    const double v = positive(column);
    if (v != std::floor(v) || v > 9e15) {
      throw InputError(file, where(column), "a whole number", fmt::format("{}", v));
    }
    return static_cast<std::int64_t>(v);
  }
  bool flag(std::string_view column) const {
    const std::string_view t = cell(column);
    if (t == "True" || t == "true" || t == "1") return true;
    if (t == "False" || t == "false" || t == "0") return false;
    throw InputError(file, where(column), "True or False", fmt::format("'{}'", t));
  }
};

// Reads the header and checks that every column the importer needs is there.
CsvHeader read_header(CsvReader& reader, const std::string& file,
                      const std::vector<std::string>& needed) {
  std::vector<std::string> fields;
  if (!reader.next(fields)) throw InputError(file, "line 1", "a header line", "an empty file");
  CsvHeader header(fields);
  for (const auto& name : needed) {
    if (!header.has(name)) {
      throw InputError(file, "line 1", fmt::format("a column '{}'", name), "none");
    }
  }
  return header;
}

bool blank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && trim(fields[0]).empty();
}

std::string median_column(std::string_view op) { return fmt::format("time_stats.{}.median", op); }

// Token counts kept when thinning: powers of two and three times powers of two.
bool on_token_grid(std::int64_t t) {
  while (t > 1 && t % 2 == 0) t /= 2;
  return t == 1 || t == 3;
}

std::int64_t exact_div(const Row& row, std::string_view column, std::int64_t a, std::int64_t b,
                       const char* what) {
  if (b <= 0 || a % b != 0) {
    throw InputError(row.file, row.where(column), fmt::format("{} divisible by {}", what, b),
                     fmt::format("{}", a));
  }
  return a / b;
}

models::GemmPoint gemm_point(std::int64_t m, std::int64_t n, std::int64_t k, double seconds) {
  models::GemmPoint g;
  g.dtype = models::Precision::kFp16;
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = 1;
  g.seconds = seconds;
  return g;
}

models::MemoryPoint memory_point(MemoryKernel kind, double bytes, double seconds) {
  models::MemoryPoint p;
  p.kind = kind;
  p.bytes = static_cast<std::int64_t>(std::llround(bytes));
  p.seconds = seconds;
  return p;
}

constexpr const char* kPostNorm = "post_attention_layernorm";
const char* const kComputeOps[] = {"emb",         "input_layernorm", "attn_pre_proj",
                                   "attn_rope",   "attn_post_proj",  "post_attention_layernorm",
                                   "mlp_up_proj", "mlp_act",         "mlp_down_proj",
                                   "add"};

// ---------------------------------------------------------------------------------------------
// Merging, thinning, rounding
// ---------------------------------------------------------------------------------------------

template <typename Key>
struct Mean {
  std::map<Key, std::pair<double, int>> sums;
  void add(const Key& k, double seconds) {
    auto& [sum, n] = sums[k];
    sum += seconds;
    ++n;
  }
};

std::vector<models::GemmPoint> merge_gemm(const std::vector<models::GemmPoint>& rows) {
  // Ordered by (n, k, m): each shape's series over M reads together in the file.
  Mean<std::tuple<std::int64_t, std::int64_t, std::int64_t>> mean;
  for (const auto& g : rows) mean.add({g.n, g.k, g.m}, g.seconds);
  std::vector<models::GemmPoint> out;
  for (const auto& [key, acc] : mean.sums) {
    const auto [n, k, m] = key;
    models::GemmPoint g = gemm_point(m, n, k, round_significant(acc.first / acc.second));
    g.tflops = round_significant(2.0 * static_cast<double>(m) * static_cast<double>(n) *
                                 static_cast<double>(k) / g.seconds / 1e12);
    out.push_back(g);
  }
  return out;
}

std::vector<models::MemoryPoint> merge_memory(const std::vector<models::MemoryPoint>& rows) {
  Mean<std::pair<MemoryKernel, std::int64_t>> mean;
  for (const auto& p : rows) mean.add({p.kind, p.bytes}, p.seconds);
  std::vector<models::MemoryPoint> out;
  for (const auto& [key, acc] : mean.sums) {
    models::MemoryPoint p = memory_point(key.first, static_cast<double>(key.second),
                                         round_significant(acc.first / acc.second));
    p.gbps = round_significant(static_cast<double>(p.bytes) / p.seconds / 1e9);
    out.push_back(p);
  }
  return out;
}

// Averages repeated sizes, then (when thinning) keeps per curve the measured size nearest each
// quarter octave 2^(j/4).
std::vector<models::CollectivePoint> merge_collectives(
    const std::vector<models::CollectivePoint>& rows, bool all_points) {
  using Curve = std::tuple<CollectiveKind, int, int>;
  Mean<std::tuple<CollectiveKind, int, int, std::int64_t>> mean;
  for (const auto& c : rows) mean.add({c.op, c.ranks, c.nodes, c.bytes}, c.time_us);
  std::map<Curve, std::vector<std::int64_t>> sizes;
  for (const auto& [key, acc] : mean.sums) {
    sizes[{std::get<0>(key), std::get<1>(key), std::get<2>(key)}].push_back(std::get<3>(key));
  }
  std::set<std::tuple<CollectiveKind, int, int, std::int64_t>> keep;
  for (const auto& [curve, list] : sizes) {  // each list is ascending (map order)
    const auto [op, ranks, nodes] = curve;
    if (all_points) {
      for (auto b : list) keep.insert({op, ranks, nodes, b});
      continue;
    }
    const double lo = std::log2(static_cast<double>(list.front()));
    const double hi = std::log2(static_cast<double>(list.back()));
    for (int j = static_cast<int>(std::floor(lo * 4)); j <= static_cast<int>(std::ceil(hi * 4));
         ++j) {
      const double target = j / 4.0;
      std::int64_t best = list.front();
      for (auto b : list) {
        if (std::fabs(std::log2(static_cast<double>(b)) - target) <
            std::fabs(std::log2(static_cast<double>(best)) - target)) {
          best = b;
        }
      }
      keep.insert({op, ranks, nodes, best});
    }
  }
  std::vector<models::CollectivePoint> out;
  for (const auto& [key, acc] : mean.sums) {
    if (!keep.contains(key)) continue;
    models::CollectivePoint c;
    std::tie(c.op, c.ranks, c.nodes, c.bytes) = key;
    c.source = models::CollectiveSource::kPublic;
    c.time_us = round_significant(acc.first / acc.second);
    const double algbw = static_cast<double>(c.bytes) / (c.time_us * 1e3);
    c.algbw_gbs = round_significant(algbw);
    c.busbw_gbs = round_significant(algbw * models::bus_factor(c.op, c.ranks));
    out.push_back(c);
  }
  return out;
}

std::string require_file(const fs::path& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw InputError(path.generic_string(), "", what, "no such file");
  }
  return read_file(path.string());
}

}  // namespace

const char* to_string(VidurGpu gpu) { return gpu == VidurGpu::kA100 ? "a100" : "h100"; }

std::optional<VidurGpu> parse_vidur_gpu(const std::string& s) {
  if (s == "a100") return VidurGpu::kA100;
  if (s == "h100") return VidurGpu::kH100;
  return std::nullopt;
}

void parse_vidur_compute(std::string_view text, const std::string& file, bool all_points,
                         VidurRows& out) {
  CsvReader reader(text, file);
  std::vector<std::string> needed = {"n_head",
                                     "n_kv_head",
                                     "n_embd",
                                     "n_expanded_embd",
                                     "use_gated_mlp",
                                     "num_tokens",
                                     "num_tensor_parallel_workers"};
  for (const char* op : kComputeOps) {
    if (std::string_view(op) != kPostNorm) needed.push_back(median_column(op));
  }
  const CsvHeader header = read_header(reader, file, needed);
  // A block without a post-attention norm is a parallel-residual one (phi-2): see the header
  // for why its add is left out.
  const bool sequential = header.has(median_column(kPostNorm));
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    if (blank(fields)) continue;
    const Row row{file, header, fields, reader.line()};
    const std::int64_t heads = row.count("n_head");
    const std::int64_t kv_heads = row.count("n_kv_head");
    const std::int64_t hidden = row.count("n_embd");
    const std::int64_t ffn = row.count("n_expanded_embd");
    const bool gated = row.flag("use_gated_mlp");
    const std::int64_t t = row.count("num_tokens");
    const std::int64_t tp = row.count("num_tensor_parallel_workers");
    auto seconds = [&](const char* op) { return row.positive(median_column(op)) * 1e-3; };
    ++out.compute_rows;
    out.max_tokens = std::max(out.max_tokens, t);
    // Validate every cell before deciding to drop the row: bad input is bad off the grid too.
    for (const char* op : kComputeOps) {
      if (sequential || std::string_view(op) != kPostNorm) seconds(op);
    }
    const std::int64_t d = exact_div(row, "n_embd", hidden, heads, "n_embd (n_head x head_dim)");
    const std::int64_t q_local = exact_div(row, "n_head", heads, tp, "n_head");
    const std::int64_t kv_local =
        exact_div(row, "n_kv_head", kv_heads, tp,
                  "n_kv_head (Vidur's tables have no more TP ranks than KV heads; how it would "
                  "split them is not guessed)");
    const std::int64_t f_local = exact_div(row, "n_expanded_embd", ffn, tp, "n_expanded_embd");
    if (!all_points && !on_token_grid(t)) {
      ++out.compute_rows_dropped;
      continue;
    }

    out.gemm.push_back(
        gemm_point(t, (q_local + 2 * kv_local) * d, hidden, seconds("attn_pre_proj")));
    out.gemm.push_back(gemm_point(t, hidden, q_local * d, seconds("attn_post_proj")));
    out.gemm.push_back(gemm_point(t, (gated ? 2 : 1) * f_local, hidden, seconds("mlp_up_proj")));
    out.gemm.push_back(gemm_point(t, hidden, f_local, seconds("mlp_down_proj")));

    const double tokens = static_cast<double>(t);
    const double h = static_cast<double>(hidden);
    // Norms: read x, write y (the weights are h elements: negligible).
    const double norm_bytes = 2.0 * kFp16Bytes * tokens * h;
    out.memory.push_back(
        memory_point(MemoryKernel::kLayerNorm, norm_bytes, seconds("input_layernorm")));
    if (sequential) {
      out.memory.push_back(memory_point(MemoryKernel::kLayerNorm, norm_bytes, seconds(kPostNorm)));
    }
    // Activation: gated reads gate and up and writes their product; otherwise read and write.
    const double act_bytes =
        (gated ? 3.0 : 2.0) * kFp16Bytes * tokens * static_cast<double>(f_local);
    out.memory.push_back(memory_point(MemoryKernel::kElementwise, act_bytes, seconds("mlp_act")));
    // Residual add: read two operands, write one.
    if (sequential) {
      out.memory.push_back(
          memory_point(MemoryKernel::kElementwise, 3.0 * kFp16Bytes * tokens * h, seconds("add")));
    } else {
      ++out.parallel_adds_dropped;
    }
    // Rotary embedding: read and write this rank's q and k heads (cos/sin tables: negligible).
    const double rope_bytes =
        2.0 * kFp16Bytes * tokens * static_cast<double>((q_local + kv_local) * d);
    out.memory.push_back(
        memory_point(MemoryKernel::kElementwise, rope_bytes, seconds("attn_rope")));
    // Embedding: gather one row per token and write it.
    out.memory.push_back(
        memory_point(MemoryKernel::kCopy, 2.0 * kFp16Bytes * tokens * h, seconds("emb")));
  }
}

void parse_vidur_network(std::string_view text, const std::string& file, CollectiveKind op,
                         VidurRows& out) {
  if (op != CollectiveKind::kAllReduce && op != CollectiveKind::kSendRecv) {
    throw std::invalid_argument("parse_vidur_network: all_reduce or send_recv");
  }
  CsvReader reader(text, file);
  const std::string time = median_column(models::to_string(op));
  const CsvHeader header =
      read_header(reader, file, {time, "num_workers", "size", "devices_per_node"});
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    if (blank(fields)) continue;
    const Row row{file, header, fields, reader.line()};
    const std::int64_t ranks = row.count("num_workers");
    const std::int64_t per_node = row.count("devices_per_node");
    const std::int64_t bytes = row.count("size");
    const double ms = row.positive(time);
    if (ranks < 2)
      throw InputError(file, row.where("num_workers"), "at least 2", fmt::format("{}", ranks));
    if (op == CollectiveKind::kSendRecv && ranks != 2) {
      throw InputError(file, row.where("num_workers"), "2 (a send/recv pair)",
                       fmt::format("{}", ranks));
    }
    const std::int64_t nodes = exact_div(row, "devices_per_node", ranks, per_node, "num_workers");
    ++out.network_rows;
    if (nodes > 1) {
      ++out.network_rows_multi_node;
      continue;
    }
    models::CollectivePoint c;
    c.op = op;
    c.ranks = static_cast<int>(ranks);
    c.nodes = 1;
    c.bytes = bytes;
    c.time_us = ms * 1e3;
    c.source = models::CollectiveSource::kPublic;
    out.collectives.push_back(c);
  }
}

models::Profile import_vidur(const std::string& dir, const VidurOptions& o) {
  const fs::path root(dir);
  const std::string gpu = to_string(o.gpu);
  VidurRows rows;

  // Compute: every mlp.csv under compute/<gpu>/, in path order.
  const fs::path compute = root / "compute" / gpu;
  std::error_code ec;
  if (!fs::is_directory(compute, ec)) {
    throw InputError(compute.generic_string(), "", "Vidur's compute tables (<org>/<model>/mlp.csv)",
                     "no such folder");
  }
  std::vector<fs::path> tables;
  for (fs::recursive_directory_iterator it(compute, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().filename() == "mlp.csv") tables.push_back(it->path());
  }
  if (ec)
    throw IoError(fmt::format("{}: cannot list the folder: {}", compute.string(), ec.message()));
  if (tables.empty()) {
    throw InputError(compute.generic_string(), "", "at least one <org>/<model>/mlp.csv", "none");
  }
  std::sort(tables.begin(), tables.end());
  std::vector<std::string> models_read;
  for (const auto& t : tables) {
    // Errors name the file as given (DIR/...); notes name it relative to DIR only.
    parse_vidur_compute(require_file(t, "a Vidur compute table"), t.generic_string(), o.all_points,
                        rows);
    models_read.push_back(t.parent_path().lexically_relative(compute).generic_string());
  }

  // Network: the DGX tables, one node.
  const fs::path network = root / "network" / (gpu + "_dgx");
  for (const CollectiveKind op : {CollectiveKind::kAllReduce, CollectiveKind::kSendRecv}) {
    const fs::path f = network / (std::string(models::to_string(op)) + ".csv");
    parse_vidur_network(require_file(f, "a Vidur network table"), f.generic_string(), op, rows);
  }

  models::Profile p;
  const bool a100 = o.gpu == VidurGpu::kA100;
  // The names the driver reports for the parts Vidur profiled (DGX A100 80GB, DGX H100).
  p.device.name = a100 ? "NVIDIA A100-SXM4-80GB" : "NVIDIA H100 80GB HBM3";
  p.device.gpu = a100 ? "a100-sxm-80gb" : "h100-sxm";
  p.date = o.date;
  p.mode = "import";
  p.source = models::ProfileSource{
      "Vidur",
      kVidurUrl,
      o.commit,
      o.date,
      "MIT",
      fmt::format("per-operation forward timings of transformer layers (QKV, output, MLP up and "
                  "down projections; norms, activation, residual add, rotary embedding, "
                  "embedding) at 1 to {} tokens and TP 1-8, fp16, PyTorch, median of repeats; "
                  "NCCL all-reduce and send/recv through torch.distributed on one {} DGX node; "
                  "data/profiling/ of the repository",
                  rows.max_tokens, a100 ? "A100 80GB" : "H100 80GB")};
  p.gemm = merge_gemm(rows.gemm);
  p.memory = merge_memory(rows.memory);
  p.collectives = merge_collectives(rows.collectives, o.all_points);

  std::string model_list;
  for (const auto& m : models_read) model_list += (model_list.empty() ? "" : ", ") + m;
  p.notes = {
      fmt::format("imported from Vidur {} ({}, MIT licence): compute/{}/*/*/mlp.csv ({}) and "
                  "network/{}_dgx/{{all_reduce,send_recv}}.csv",
                  o.commit.substr(0, 12), o.date, gpu, model_list, gpu),
      std::string("Vidur measured fp16; the GEMM rows are stored as fp16 and a bf16 query reads "
                  "them (the A100 and H100 have equal fp16 and bf16 tensor-core peaks)"),
      "GEMMs: attn_pre_proj n = (n_head + 2 n_kv_head) head_dim / tp, k = n_embd; attn_post_proj "
      "n = n_embd, k = n_head head_dim / tp; mlp_up_proj n = (gated ? 2 : 1) ffn / tp, k = n_embd; "
      "mlp_down_proj n = n_embd, k = ffn / tp; m = num_tokens",
      "memory bytes (fp16): layernorm 2 x 2 t h (both norms); elementwise: mlp_act 3 x 2 t ffn/tp "
      "gated (2 x when not), add 3 x 2 t h, attn_rope 2 x 2 t (n_head + n_kv_head) head_dim / tp; "
      "copy: emb 2 x 2 t h",
      fmt::format("{} compute rows read, {} kept{}; points at the same shape or size averaged "
                  "(mean of the medians)",
                  rows.compute_rows, rows.compute_rows - rows.compute_rows_dropped,
                  o.all_points ? "" : " (token counts that are powers of two or three times one)"),
      fmt::format("{} rows of parallel-residual blocks (no post_attention_layernorm: phi-2) "
                  "without their add: it takes about twice the time per byte of every other "
                  "model's, and what it adds is not documented",
                  rows.parallel_adds_dropped),
      fmt::format("{} network rows read; {} across two nodes left out (a fabric the source does "
                  "not describe); collective sizes {}",
                  rows.network_rows, rows.network_rows_multi_node,
                  o.all_points ? "all kept" : "thinned to the one nearest each quarter octave"),
      fmt::format("not imported: network/{}_pairwise_nvlink/ (4-GPU nodes whose GPUs are "
                  "NVLinked in pairs, not a DGX's NVSwitch); attention, optimizer and "
                  "backward-pass kernels are not in these tables",
                  gpu),
  };
  p.fits = fit_profile(p);
  return p;
}

}  // namespace cirrus::calibrate
