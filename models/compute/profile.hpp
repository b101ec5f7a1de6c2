#pragma once
// A calibration profile: what kernels, copies and collectives achieved on one machine, as
// `cirrus calibrate` measured them on its GPUs or as imported from nccl-tests logs, with the
// curves fitted to them. This header is the plain data and the lookups the simulator calls;
// reading and writing the JSON form lives in calibrate/profile_io.hpp (models/ has no JSON).
//
// Lookups answer only inside the measured range and return nullopt outside it: the caller
// then falls back to datasheet figures and flags its result uncalibrated. The one exception is
// a GEMM larger than any measured (ProfileLookup::gemm_rate): it holds the rate of the largest
// measured shape, because GEMM efficiency saturates with size. Interpolation is always in
// log-size space, because kernel efficiency and bus bandwidth change with the order of
// magnitude of a size, not with its last few bytes.
//
// A profile is measured by `cirrus calibrate`, imported from someone else's measurements (then
// `source` says whose: calibrate/import_vidur.hpp), or derived from another GPU's profile by
// scaling (then `scaled` says how: models/compute/profile_scaling.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/hardware/hardware.hpp"
#include "models/network/collectives.hpp"

namespace cirrus::models {

struct ProfileDevice {
  std::string name;                // as the driver reports it: "NVIDIA H100 80GB HBM3"
  std::string gpu;                 // cirrus GPU preset id ("h100-sxm"); empty when none matches
  int count = 0;                   // GPUs visible on the machine (0 when unknown: imports)
  int sm_count = 0;                // 0 when unknown
  std::string compute_capability;  // "9.0"; empty when unknown
  double sm_clock_mhz = 0;         // peak clocks the driver reports; 0 when unknown
  double memory_clock_mhz = 0;
  double memory_bytes = 0;  // device memory the driver reports
  double l2_bytes = 0;
};

// Library versions as the libraries report them at run time; empty when unknown.
struct ProfileVersions {
  std::string driver;        // kernel driver, "580.159.04"
  std::string cuda_driver;   // CUDA version the driver supports, "13.0"
  std::string cuda_runtime;  // "13.0"
  std::string cublas;        // "13.1.0"
  std::string cudnn;         // "9.19.0"
  std::string nccl;          // "2.28.9"
};

enum class AttentionImpl { kFused, kUnfused };
enum class AttentionPass { kForward, kBackward };
enum class MemoryKernel { kCopy, kElementwise, kLayerNorm, kSoftmax, kAdam };
enum class CopyDirection { kHostToDevice, kDeviceToHost, kDeviceToDevice };
// Who measured a collective: `cirrus calibrate` on this machine, nccl-tests logs a user
// imported, or a public measurement set (the profile's `source` block says whose: Vidur's
// NCCL timings through torch.distributed, converted to nccl-tests' conventions).
enum class CollectiveSource { kCalibrate, kNcclTests, kPublic };
// The order the lookups and fits prefer sources in, where one (op, ranks, nodes) has several:
// 0 first. nccl-tests logs (usually the wider, multi-node run a user chose to import), then
// the user's own calibrate run, then public measurements of someone else's machine.
int collective_source_rank(CollectiveSource s);
enum class FitFamily { kGemm, kAttention, kMemory, kHostCopy, kCollective };

// The spellings used in profile files ("fused", "adam", "h2d", "nccl-tests", ...); the
// parse_* functions return nullopt for anything else.
const char* to_string(AttentionImpl v);
const char* to_string(AttentionPass v);
const char* to_string(MemoryKernel v);
const char* to_string(CopyDirection v);
const char* to_string(CollectiveSource v);
const char* to_string(FitFamily v);
std::optional<Precision> parse_precision(const std::string& s);  // "fp32", "tf32", "bf16", ...
std::optional<AttentionImpl> parse_attention_impl(const std::string& s);
std::optional<AttentionPass> parse_attention_pass(const std::string& s);
std::optional<MemoryKernel> parse_memory_kernel(const std::string& s);
std::optional<CopyDirection> parse_copy_direction(const std::string& s);
std::optional<CollectiveSource> parse_collective_source(const std::string& s);
std::optional<CollectiveKind> parse_collective_kind(const std::string& s);  // "all_reduce"
std::optional<FitFamily> parse_fit_family(const std::string& s);

// One GEMM: (m x k) @ (k x n), `batch` times (strided batched), as ComputeModel's Op counts
// it: 2 m n k batch FLOPs. m is the row count of the output (tokens, for a linear layer).
struct GemmPoint {
  Precision dtype = Precision::kBf16;  // inputs; fp8 means e4m3 inputs with a bf16 output
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  double seconds = 0;  // median of repeats
  double tflops = 0;   // 2 m n k batch / seconds / 1e12
};

// One scaled-dot-product attention over [batch, heads, seq, head_dim] (self-attention, as
// many KV heads as query heads), forward and backward timed separately.
struct AttentionPoint {
  AttentionImpl impl = AttentionImpl::kFused;  // kUnfused: batched GEMMs + softmax kernels
  Precision dtype = Precision::kBf16;
  bool causal = false;
  std::int64_t batch = 0, heads = 0, seq = 0, head_dim = 0;
  double fwd_s = 0;
  double bwd_s = 0;
};

// A memory-bound kernel; `bytes` counts the bytes it must move to and from device memory
// once (reads plus writes: 2x the buffer for a copy, 3x for y = a x + y, 28 bytes per fp32
// parameter for an Adam step), the convention of ComputeModel's memory ops.
struct MemoryPoint {
  MemoryKernel kind = MemoryKernel::kCopy;
  std::int64_t bytes = 0;
  double seconds = 0;
  double gbps = 0;  // bytes / seconds / 1e9
};

// cudaMemcpy between pinned host memory and the device, or device to device; `bytes` is the
// size copied (counted once, as nvbandwidth and the datasheets count it).
struct HostCopyPoint {
  CopyDirection direction = CopyDirection::kHostToDevice;
  std::int64_t bytes = 0;
  double seconds = 0;
  double gbps = 0;  // bytes / seconds / 1e9
};

// One collective with nccl-tests' conventions: `bytes` is nccl-tests' size column, algbw =
// bytes / time, busbw = algbw x bus_factor(op, ranks) (collectives.hpp); GB/s are 1e9 B/s.
struct CollectivePoint {
  CollectiveKind op = CollectiveKind::kAllReduce;
  int ranks = 0;
  int nodes = 1;
  std::int64_t bytes = 0;
  double time_us = 0;
  double algbw_gbs = 0;
  double busbw_gbs = 0;
  CollectiveSource source = CollectiveSource::kCalibrate;
};

// Where an imported profile's measurements come from when someone else took them (a public
// measurement set such as Microsoft Vidur's); absent in a profile `cirrus calibrate` measured.
struct ProfileSource {
  std::string name;      // "Vidur"
  std::string url;       // "https://github.com/microsoft/vidur"
  std::string commit;    // of the source repository the tables were taken from
  std::string date;      // ISO 8601 date of that commit: "2024-11-19"
  std::string licence;   // "MIT"
  std::string measured;  // what was measured, how, in a sentence or two
};

// A profile derived from the profile of another GPU (its GpuSpec::compute_twin) by scaling its
// rates: compute-bound rates (GEMM, attention) by the sustained-clock ratio, memory-bound
// kernel bandwidths by the HBM bandwidth ratio. Everything else is the twin's.
struct ProfileScaling {
  std::string from_gpu;  // the twin's preset id: "h100-sxm"
  double compute = 1.0;  // factor on GEMM and attention FLOP/s
  double memory = 1.0;   // factor on memory-bound kernel bandwidth
};

// A fitted latency-bandwidth curve, seconds(x) = alpha_s + x / rate, fitted by least squares
// on relative error (so small and large sizes weigh alike). For GEMMs x is FLOPs and rate the
// sustained FLOP/s, which makes the achieved fraction of a peak P the saturating curve
//   fraction(F) = (rate / P) * F / (F + alpha_s * rate),
// half of its ceiling at F = alpha_s * rate. For attention x is FLOPs (attention_flops below),
// for memory kernels and copies bytes, for collectives bus bytes (bytes x bus factor), so that
// rate is the asymptotic bus bandwidth and alpha_s the latency.
struct CurveFit {
  FitFamily family = FitFamily::kGemm;
  // Which table rows it summarizes: "bf16" (GEMM dtype), "fused/bf16/causal/fwd" (attention),
  // "copy" (memory kernel), "h2d" (copy), "all_reduce/8/1" (op/ranks/nodes).
  std::string key;
  double alpha_s = 0;
  double rate = 0;           // x units per second
  double rms_rel_error = 0;  // root mean square of (fit - measured) / measured
  int points = 0;
  double x_min = 0, x_max = 0;  // the range fitted; the curve says nothing outside it

  double seconds(double x) const { return alpha_s + x / rate; }
};

struct Profile {
  ProfileDevice device;
  ProfileVersions versions;
  std::string date;                      // ISO 8601, UTC, when it was measured or imported
  std::string mode;                      // "full", "quick" or "import"
  std::optional<ProfileSource> source;   // imported public measurements: whose
  std::optional<ProfileScaling> scaled;  // derived from a twin GPU's profile: how
  std::vector<GemmPoint> gemm;
  std::vector<AttentionPoint> attention;
  std::vector<MemoryPoint> memory;
  std::vector<HostCopyPoint> host_copy;
  std::vector<CollectivePoint> collectives;
  std::vector<CurveFit> fits;
  std::vector<std::string> notes;  // what was skipped and why, fallbacks taken
};

// FLOPs of one attention pass, the convention of the simulator's layer program: forward
// 4 b h s^2 d (two GEMMs) times the share of score blocks a causal kernel computes,
// (blocks + 1) / (2 blocks) with blocks = max(1, s / 128); backward 2.5x forward (FlashAttention
// -2's accounting: it recomputes the scores).
double attention_flops(AttentionPass pass, bool causal, double batch, double heads, double seq,
                       double head_dim);

// The cirrus GPU preset for a device name as CUDA or nccl-tests print it ("NVIDIA H100 80GB
// HBM3" -> "h100-sxm", "NVIDIA A100-SXM4-40GB" -> "a100-sxm-40gb"); empty when none matches.
std::string gpu_preset_for_device(const std::string& device_name);
// The 8-GPU node preset that carries a GPU preset ("h100-sxm" -> "dgx-h100"); empty if none.
std::string node_preset_for_gpu(const std::string& gpu_id);

// What a result says about its calibration (StepResult::calibration):
//   "public profile (Vidur, H100, 2024-11)" for an imported public profile,
//   "profile (measured on NVIDIA H100 80GB HBM3, 2026-11-20)" for a measured one,
// followed for a derived profile by ", scaled to <GPU>: HBM bandwidth x1.43[, GEMM and
// attention rates x0.945]" (the factors that are not 1), or ", for <GPU> (same clock and HBM
// bandwidth)" when none differs.
std::string calibration_label(const Profile& profile);

// The lookups, over tables indexed once: build one per profile and share it (const, so safe
// to query from many threads).
//
// Scattered shapes (GEMM, attention): inverse-distance weighting of the achieved FLOP/s of
// the kNeighbours nearest measured points, distance being Euclidean in log2 of the shape
// coordinates; an exact match returns its own value. A query is covered when every
// coordinate lies within the measured minimum and maximum of its table and the nearest point
// is at most kMaxLog2Distance away (a factor of 2 in each of two dimensions is 1.41).
//
// GEMMs larger than measured: GEMM efficiency saturates with size, so a query beyond the
// measured maximum holds the rate of the nearest measured shape with the out-of-range
// coordinates clamped, never jumping back to a datasheet ceiling. M is clamped per measured
// (N, K, batch): to each point, a query's M looks no larger than the largest M measured with
// that point's N, K and batch (so a shape measured up to 4,096 tokens answers a 16,384-token
// query with its 4,096-token rate, while a shape measured to 32,768 answers from its own
// 16,384-token point); N and K are clamped to the table's maxima. gemm_rate says when it held a
// rate. Below the measured minimum of any coordinate, and beyond the measured batch, nothing.
//
// 16-bit GEMMs: a bf16 query reads the fp16 points when the profile has no bf16 GEMM points
// (imports of fp16 measurements, such as Vidur's): the GPUs such profiles describe (A100, H100
// and their twins) have equal fp16 and bf16 tensor-core peaks and run both through the same
// kernels. The profile's notes say so.
//
// Size curves (memory kernels, copies, collectives): linear interpolation in log2(bytes)
// between the two measured sizes around the query, points at the same size averaged; covered
// from the smallest to the largest measured size.
class ProfileLookup {
 public:
  static constexpr int kNeighbours = 4;
  static constexpr double kMaxLog2Distance = 1.5;

  explicit ProfileLookup(const Profile& profile);

  // calibration_label of the profile this lookup indexes.
  const std::string& label() const { return label_; }
  // Whether its memory-bound points stand for a training step's kernels: true for a profile
  // `cirrus calibrate` measured (its own bandwidth kernels), false for an import of another
  // tool's tables (ProfileSource set): Vidur's time an inference engine's kernels (vLLM's
  // RMSNorm, PyTorch's add and activation) at inference sizes, which a training framework's
  // fused kernels do not run; those points are kept and shown, not used for the step.
  bool memory_applies() const { return memory_applies_; }

  // A GEMM's measured rate and whether it was held from a smaller measured shape.
  struct GemmRate {
    double flops_per_s = 0;
    bool extrapolated = false;  // beyond the measured M, N or K: a held (clamped) rate
  };
  std::optional<GemmRate> gemm_rate(Precision dtype, double m, double n, double k,
                                    double batch) const;

  // Achieved fraction of `peak` (FLOP/s) for this GEMM: measured FLOP/s / peak, so pass the
  // datasheet peak of the precision to get a fraction comparable with ComputeModel's.
  std::optional<double> gemm_efficiency(Precision dtype, double m, double n, double k, double batch,
                                        double peak) const;
  // gemm_rate computed by visiting every point: the same answer, slower (a test oracle).
  std::optional<GemmRate> gemm_rate_exhaustive(Precision dtype, double m, double n, double k,
                                               double batch) const;
  // gemm_rate's FLOP/s, held or not (the compute model's entry point).
  std::optional<double> gemm_flops_per_s(Precision dtype, double m, double n, double k,
                                         double batch) const;

  // Attention FLOP/s (attention_flops' convention) / peak, interpolated over (log2 seq,
  // log2 head_dim, log2 batch x heads) among points of the same implementation, dtype and
  // causality. An unfused query never reads fused points or the other way round.
  std::optional<double> attention_efficiency(AttentionImpl impl, AttentionPass pass,
                                             Precision dtype, bool causal, double batch,
                                             double heads, double seq, double head_dim,
                                             double peak) const;

  std::optional<double> memory_bandwidth(MemoryKernel kind, double bytes) const;  // bytes/s
  std::optional<double> host_copy_bandwidth(CopyDirection direction, double bytes) const;

  // nccl-tests bus bandwidth (bytes/s) of `op` over `ranks` ranks on `nodes` nodes at size
  // `bytes`. Only points of exactly that (op, ranks, nodes) are used, and of one source only
  // (the first present in collective_source_rank's order), so two curves are never mixed.
  std::optional<double> collective_busbw(CollectiveKind op, int ranks, int nodes,
                                         double bytes) const;
  // bytes x bus_factor / busbw: the time nccl-tests would report.
  std::optional<double> collective_seconds(CollectiveKind op, int ranks, int nodes,
                                           double bytes) const;

  bool covers_gemm(Precision dtype, double m, double n, double k, double batch) const {
    return gemm_flops_per_s(dtype, m, n, k, batch).has_value();
  }
  bool covers_attention(AttentionImpl impl, AttentionPass pass, Precision dtype, bool causal,
                        double batch, double heads, double seq, double head_dim) const {
    return attention_efficiency(impl, pass, dtype, causal, batch, heads, seq, head_dim, 1.0)
        .has_value();
  }
  bool covers_memory(MemoryKernel kind, double bytes) const {
    return memory_bandwidth(kind, bytes).has_value();
  }
  bool covers_collective(CollectiveKind op, int ranks, int nodes, double bytes) const {
    return collective_busbw(op, ranks, nodes, bytes).has_value();
  }

  // One table of scattered points in log2 space (public for the tests of the scheme).
  struct Scatter {
    std::vector<std::vector<double>> coords;  // log2 of each coordinate, per point
    std::vector<double> values;
    std::vector<double> lo, hi;  // per-dimension range
  };
  static std::optional<double> interpolate(const Scatter& table, const std::vector<double>& q);
  // One size curve: sorted distinct log2(bytes) with the mean value at each.
  struct Curve {
    std::vector<double> log_bytes;
    std::vector<double> values;
  };
  static std::optional<double> interpolate(const Curve& curve, double bytes);

 private:
  // A GEMM table is indexed by column, the points sharing one (n, k, batch): a query visits
  // columns nearest first and stops once a column's (n, k, batch) distance alone exceeds the
  // kNeighbours-th best distance found, looking in each column only at the points nearest in m
  // (binary search). The answer is the exhaustive one's (gemm_rate_exhaustive, the tests'
  // oracle); a planner's analytic evaluations make many lookups.
  struct GemmColumn {
    std::vector<double> nkb;                        // log2 n, log2 k, log2 batch
    double cap = 0;                                 // log2 of the largest m measured in the column
    std::vector<std::pair<double, std::size_t>> m;  // (log2 m, point index), ascending
  };
  struct GemmTable {
    Precision dtype;
    Scatter table;              // (log2 m, log2 n, log2 k, log2 batch)
    std::vector<double> m_cap;  // per point: log2 of the largest m measured at its n, k, batch
    std::vector<GemmColumn> columns;
  };
  static std::optional<GemmRate> held_interpolate(const GemmTable& t, std::vector<double> q,
                                                  bool exhaustive);
  const GemmTable* gemm_table(Precision dtype) const;
  struct AttentionTable {
    AttentionImpl impl;
    AttentionPass pass;
    Precision dtype;
    bool causal;
    Scatter table;
  };
  struct MemoryCurve {
    MemoryKernel kind;
    Curve curve;
  };
  struct CopyCurve {
    CopyDirection direction;
    Curve curve;
  };
  struct CollectiveCurve {
    CollectiveKind op;
    int ranks;
    int nodes;
    Curve curve;  // busbw in bytes/s
  };
  std::vector<GemmTable> gemm_;
  std::vector<AttentionTable> attention_;
  std::vector<MemoryCurve> memory_;
  std::vector<CopyCurve> copy_;
  std::vector<CollectiveCurve> collective_;
  std::string label_;
  bool memory_applies_ = true;
};

// StepResult::calibration for a step timed with `profile`: its label, or "datasheet" for none.
inline std::string calibration_of(const ProfileLookup* profile) {
  return profile != nullptr ? profile->label() : std::string("datasheet");
}

}  // namespace cirrus::models
