// The attention stage: cuDNN's fused scaled-dot-product attention through the backend (graph)
// API, forward and backward, with an unfused fallback (cuBLASLt batched GEMMs and softmax row
// kernels), both in bf16 over [batch, heads, seq, head_dim] tensors laid out BHSD.
//
// The fused graphs follow the operation pattern cuDNN's runtime-fusion flash-attention engines
// match (the pattern cudnn-frontend's SDPA node emits; no frontend header is used here):
//   forward   S = Q K^T; S *= scale; [causal: S = row >= col ? S : -inf];
//             stats = max + log(sum(exp(S - max))); P = exp(S - max) / sum; O = P V
//   backward  D = sum(dO * O); P = exp(scale Q K^T (masked) - stats); dV = P^T dO;
//             dS = P * (dO V^T - D) * scale; dQ = dS K; dK = dS^T Q
// Details the engines are strict about (data types of the index/mask tensors and of P, a
// float dQ accumulator) are not documented; the builder tries a few variants in turn and keeps
// the first that cuDNN accepts and that agrees with the unfused reference on a small problem.
// Everything else (no engine, a mismatch) falls back to the unfused path, labelled so.
#include <cudnn_graph.h>
#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "calibrate/attention_kernels.hpp"
#include "calibrate/bench.hpp"
#include "calibrate/lt_gemm.hpp"
#include "calibrate/profile_io.hpp"

#define CIRRUS_CUDNN_CHECK(call)                                                  \
  do {                                                                            \
    const cudnnStatus_t cirrus_status_ = (call);                                  \
    if (cirrus_status_ != CUDNN_STATUS_SUCCESS) {                                 \
      ::cirrus::calibrate::throw_call_error("cuDNN", #call, __FILE__, __LINE__,   \
                                            cudnnGetErrorString(cirrus_status_)); \
    }                                                                             \
  } while (0)

namespace cirrus::calibrate {
namespace {

using Dims = std::array<std::int64_t, 4>;

// A graph that cuDNN refused: the reason is kept for the notes, the run goes on.
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string cudnn_message(cudnnStatus_t status) {
  char detail[512] = {0};
  cudnnGetLastErrorString(detail, sizeof detail);
  std::string msg = cudnnGetErrorString(status);
  if (detail[0] != '\0') msg += std::string(" (") + detail + ")";
  return msg;
}

// One backend descriptor, destroyed with its owner.
class Desc {
 public:
  Desc(cudnnBackendDescriptorType_t type, const char* what) : what_(what) {
    const cudnnStatus_t st = cudnnBackendCreateDescriptor(type, &d_);
    if (st != CUDNN_STATUS_SUCCESS) {
      throw GraphError(fmt::format("{}: create: {}", what_, cudnn_message(st)));
    }
  }
  ~Desc() {
    if (d_ != nullptr) cudnnBackendDestroyDescriptor(d_);
  }
  Desc(const Desc&) = delete;
  Desc& operator=(const Desc&) = delete;

  cudnnBackendDescriptor_t get() const { return d_; }

  Desc& set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, std::int64_t count,
            const void* values) {
    const cudnnStatus_t st = cudnnBackendSetAttribute(d_, name, type, count, values);
    if (st != CUDNN_STATUS_SUCCESS) {
      throw GraphError(
          fmt::format("{}: attribute {}: {}", what_, static_cast<int>(name), cudnn_message(st)));
    }
    return *this;
  }
  Desc& set(cudnnBackendAttributeName_t name, cudnnBackendDescriptor_t other) {
    return set(name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &other);
  }
  Desc& set_int(cudnnBackendAttributeName_t name, std::int64_t v) {
    return set(name, CUDNN_TYPE_INT64, 1, &v);
  }
  Desc& set_type(cudnnBackendAttributeName_t name, cudnnDataType_t v) {
    return set(name, CUDNN_TYPE_DATA_TYPE, 1, &v);
  }
  cudnnStatus_t try_finalize() { return cudnnBackendFinalize(d_); }
  void finalize() {
    const cudnnStatus_t st = try_finalize();
    if (st != CUDNN_STATUS_SUCCESS) {
      throw GraphError(fmt::format("{}: finalize: {}", what_, cudnn_message(st)));
    }
  }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
  const char* what_;
};

// The handle attributes are deprecated in recent cuDNN 9 releases in favour of device
// property descriptors that older 9.x releases lack; the handle works on all of them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
constexpr cudnnBackendAttributeName_t kGraphHandle = CUDNN_ATTR_OPERATIONGRAPH_HANDLE;
constexpr cudnnBackendAttributeName_t kPlanHandle = CUDNN_ATTR_EXECUTION_PLAN_HANDLE;
#pragma GCC diagnostic pop

// An operation graph under construction and, once built, its execution plan.
class Graph {
 public:
  cudnnBackendDescriptor_t tensor(std::int64_t uid, cudnnDataType_t type, const Dims& dims,
                                  const Dims& strides, bool is_virtual, bool by_value = false) {
    Desc& t = add(CUDNN_BACKEND_TENSOR_DESCRIPTOR, "tensor");
    t.set_type(CUDNN_ATTR_TENSOR_DATA_TYPE, type);
    t.set(CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dims.data());
    t.set(CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, strides.data());
    t.set_int(CUDNN_ATTR_TENSOR_UNIQUE_ID, uid);
    t.set_int(CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, 16);
    const bool v = is_virtual;
    t.set(CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &v);
    if (by_value) {
      const bool b = true;
      t.set(CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, 1, &b);
    }
    t.finalize();
    return t.get();
  }
  cudnnBackendDescriptor_t virt(cudnnDataType_t type, const Dims& dims, const Dims& strides) {
    return tensor(next_uid_++, type, dims, strides, true);
  }

  void matmul(cudnnBackendDescriptor_t a, cudnnBackendDescriptor_t b, cudnnBackendDescriptor_t c) {
    Desc& m = add(CUDNN_BACKEND_MATMUL_DESCRIPTOR, "matmul");
    m.set_type(CUDNN_ATTR_MATMUL_COMP_TYPE, CUDNN_DATA_FLOAT);
    m.finalize();
    Desc& op = add(CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR, "matmul op");
    op.set(CUDNN_ATTR_OPERATION_MATMUL_ADESC, a)
        .set(CUDNN_ATTR_OPERATION_MATMUL_BDESC, b)
        .set(CUDNN_ATTR_OPERATION_MATMUL_CDESC, c)
        .set(CUDNN_ATTR_OPERATION_MATMUL_DESC, m.get());
    op.finalize();
    ops_.push_back(op.get());
  }

  void pointwise(cudnnPointwiseMode_t mode, cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t y,
                 cudnnBackendDescriptor_t b = nullptr, cudnnBackendDescriptor_t t = nullptr,
                 cudnnDataType_t compute = CUDNN_DATA_FLOAT, std::int64_t axis = -1) {
    Desc& pw = add(CUDNN_BACKEND_POINTWISE_DESCRIPTOR, "pointwise");
    pw.set(CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode);
    pw.set_type(CUDNN_ATTR_POINTWISE_MATH_PREC, compute);
    if (axis >= 0) pw.set_int(CUDNN_ATTR_POINTWISE_AXIS, axis);
    pw.finalize();
    Desc& op = add(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR, "pointwise op");
    op.set(CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw.get());
    op.set(CUDNN_ATTR_OPERATION_POINTWISE_XDESC, x);
    if (b != nullptr) op.set(CUDNN_ATTR_OPERATION_POINTWISE_BDESC, b);
    if (t != nullptr) op.set(CUDNN_ATTR_OPERATION_POINTWISE_TDESC, t);
    op.set(CUDNN_ATTR_OPERATION_POINTWISE_YDESC, y);
    op.finalize();
    ops_.push_back(op.get());
  }

  void reduction(cudnnReduceTensorOp_t mode, cudnnBackendDescriptor_t x,
                 cudnnBackendDescriptor_t y) {
    Desc& r = add(CUDNN_BACKEND_REDUCTION_DESCRIPTOR, "reduction");
    r.set(CUDNN_ATTR_REDUCTION_OPERATOR, CUDNN_TYPE_REDUCTION_OPERATOR_TYPE, 1, &mode);
    r.set_type(CUDNN_ATTR_REDUCTION_COMP_TYPE, CUDNN_DATA_FLOAT);
    r.finalize();
    Desc& op = add(CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR, "reduction op");
    op.set(CUDNN_ATTR_OPERATION_REDUCTION_XDESC, x)
        .set(CUDNN_ATTR_OPERATION_REDUCTION_YDESC, y)
        .set(CUDNN_ATTR_OPERATION_REDUCTION_DESC, r.get());
    op.finalize();
    ops_.push_back(op.get());
  }

  void reshape(cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t y) {
    Desc& op = add(CUDNN_BACKEND_OPERATION_RESHAPE_DESCRIPTOR, "reshape op");
    op.set(CUDNN_ATTR_OPERATION_RESHAPE_XDESC, x).set(CUDNN_ATTR_OPERATION_RESHAPE_YDESC, y);
    op.finalize();
    ops_.push_back(op.get());
  }

  // The operation graph, cuDNN's heuristic list of engine configurations, and the first of
  // them whose execution plan finalizes.
  void build(cudnnHandle_t handle) {
    Desc& g = add(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR, "operation graph");
    g.set(CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
          static_cast<std::int64_t>(ops_.size()), ops_.data());
    g.set(kGraphHandle, CUDNN_TYPE_HANDLE, 1, &handle);
    g.finalize();
    Desc& heur = add(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR, "engine heuristics");
    heur.set(CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, g.get());
    const cudnnBackendHeurMode_t mode = CUDNN_HEUR_MODE_A;
    heur.set(CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode);
    heur.finalize();
    std::int64_t available = 0;
    cudnnStatus_t st =
        cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                 CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &available, nullptr);
    if (st != CUDNN_STATUS_SUCCESS || available <= 0) {
      throw GraphError(fmt::format("no engine for the graph ({})", st == CUDNN_STATUS_SUCCESS
                                                                       ? std::string("0 configs")
                                                                       : cudnn_message(st)));
    }
    const std::int64_t tries = std::min<std::int64_t>(available, 8);
    std::vector<cudnnBackendDescriptor_t> configs;
    for (std::int64_t i = 0; i < tries; ++i) {
      configs.push_back(add(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR, "engine config").get());
    }
    std::int64_t returned = 0;
    st = cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                  CUDNN_TYPE_BACKEND_DESCRIPTOR, tries, &returned, configs.data());
    if (st != CUDNN_STATUS_SUCCESS) {
      throw GraphError("engine heuristics results: " + cudnn_message(st));
    }
    std::string last = "no engine config";
    for (std::int64_t i = 0; i < returned; ++i) {
      Desc& plan = add(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR, "execution plan");
      plan.set(kPlanHandle, CUDNN_TYPE_HANDLE, 1, &handle);
      plan.set(CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, configs[static_cast<std::size_t>(i)]);
      st = plan.try_finalize();
      if (st != CUDNN_STATUS_SUCCESS) {
        last = cudnn_message(st);
        continue;
      }
      std::int64_t count = 0;
      CIRRUS_CUDNN_CHECK(cudnnBackendGetAttribute(plan.get(),
                                                  CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                                  CUDNN_TYPE_INT64, 1, &count, &workspace_));
      plan_ = plan.get();
      return;
    }
    throw GraphError("no execution plan finalized: " + last);
  }

  // A variant pack binding (uid, pointer) pairs, by-value scalars as host pointers; it stays
  // valid while the memory it points to does, so it is made once and executed many times.
  std::unique_ptr<Desc> pack(const std::vector<std::int64_t>& uids,
                             const std::vector<void*>& pointers, void* workspace) const {
    auto pack = std::make_unique<Desc>(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, "variant pack");
    pack->set(CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64,
              static_cast<std::int64_t>(uids.size()), uids.data());
    pack->set(CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
              static_cast<std::int64_t>(pointers.size()), pointers.data());
    pack->set(CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace);
    pack->finalize();
    return pack;
  }
  void execute(cudnnHandle_t handle, const Desc& pack) const {
    CIRRUS_CUDNN_CHECK(cudnnBackendExecute(handle, plan_, pack.get()));
  }

  std::int64_t workspace() const { return workspace_; }

 private:
  Desc& add(cudnnBackendDescriptorType_t type, const char* what) {
    return descs_.emplace_back(type, what);
  }

  std::deque<Desc> descs_;  // a deque: descriptors never move once made
  std::vector<cudnnBackendDescriptor_t> ops_;
  std::int64_t next_uid_ = 1000;
  std::int64_t workspace_ = 0;
  cudnnBackendDescriptor_t plan_ = nullptr;
};

enum Uid : std::int64_t {
  kQ = 1,
  kK,
  kV,
  kO,
  kStats,
  kScale,
  kNegInf,
  kDO,
  kDQ,
  kDK,
  kDV,
  kSoftmaxSum,
  kDQAccum
};

struct Shape {
  std::int64_t b, h, s, d;
  bool causal;
  double scale() const { return 1.0 / std::sqrt(static_cast<double>(d)); }
  std::int64_t elements() const { return b * h * s * d; }        // of Q, K, V, O, ...
  std::int64_t score_elements() const { return b * h * s * s; }  // of S, P, dP
  std::int64_t rows() const { return b * h * s; }
};

// What the undocumented pattern details are, one guess per field.
struct Variant {
  cudnnDataType_t index_type;    // GEN_INDEX outputs (and their math type)
  cudnnDataType_t compare_math;  // CMP_GE math type
  cudnnDataType_t mask_type;     // CMP_GE output
  cudnnDataType_t p_type;        // P before the second GEMM (float or bf16)
  bool dq_accumulator;           // backward: dQ through a float accumulator, then IDENTITY
};

std::vector<Variant> forward_variants(bool causal) {
  std::vector<Variant> out;
  const Variant masks[] = {
      {CUDNN_DATA_INT32, CUDNN_DATA_BOOLEAN, CUDNN_DATA_BOOLEAN, CUDNN_DATA_FLOAT, true},
      {CUDNN_DATA_INT32, CUDNN_DATA_INT32, CUDNN_DATA_BOOLEAN, CUDNN_DATA_FLOAT, true},
      {CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT, CUDNN_DATA_BOOLEAN, CUDNN_DATA_FLOAT, true},
  };
  for (const Variant& m : masks) {
    for (cudnnDataType_t p : {CUDNN_DATA_FLOAT, CUDNN_DATA_BFLOAT16}) {
      Variant v = m;
      v.p_type = p;
      out.push_back(v);
    }
    if (!causal) break;  // the mask fields do not matter without a mask
  }
  return out;
}

struct Layouts {
  Dims bhsd, bhsd_stride, bhds, bhds_stride, score, score_stride, score_t_stride, row, row_stride;
  Dims scalar{1, 1, 1, 1}, scalar_stride{1, 1, 1, 1};
  explicit Layouts(const Shape& x)
      : bhsd{x.b, x.h, x.s, x.d},
        bhsd_stride{x.h * x.s * x.d, x.s * x.d, x.d, 1},
        bhds{x.b, x.h, x.d, x.s},
        bhds_stride{x.h * x.s * x.d, x.s * x.d, 1, x.d},  // K^T, V^T: same memory, transposed
        score{x.b, x.h, x.s, x.s},
        score_stride{x.h * x.s * x.s, x.s * x.s, x.s, 1},
        score_t_stride{x.h * x.s * x.s, x.s * x.s, 1, x.s},
        row{x.b, x.h, x.s, 1},
        row_stride{x.h * x.s, x.s, 1, 1} {}
};

// S = scale x Q K^T, masked when causal: the part forward and backward share.
cudnnBackendDescriptor_t scaled_scores(Graph& g, const Layouts& l, const Shape& x, const Variant& v,
                                       cudnnBackendDescriptor_t q, cudnnBackendDescriptor_t kt) {
  auto scale = g.tensor(kScale, CUDNN_DATA_FLOAT, l.scalar, l.scalar_stride, false, true);
  auto s = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.matmul(q, kt, s);
  auto scaled = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_MUL, s, scaled, scale);
  if (!x.causal) return scaled;
  auto row = g.virt(v.index_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_GEN_INDEX, scaled, row, nullptr, nullptr, v.index_type, 2);
  auto col = g.virt(v.index_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_GEN_INDEX, scaled, col, nullptr, nullptr, v.index_type, 3);
  auto keep = g.virt(v.mask_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_CMP_GE, row, keep, col, nullptr, v.compare_math);
  auto neg_inf = g.tensor(kNegInf, CUDNN_DATA_FLOAT, l.scalar, l.scalar_stride, false, true);
  auto masked = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_BINARY_SELECT, scaled, masked, neg_inf, keep);
  return masked;
}

void build_forward(Graph& g, const Shape& x, const Variant& v) {
  const Layouts l(x);
  auto q = g.tensor(kQ, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto kt = g.tensor(kK, CUDNN_DATA_BFLOAT16, l.bhds, l.bhds_stride, false);
  auto vv = g.tensor(kV, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto o = g.tensor(kO, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto stats = g.tensor(kStats, CUDNN_DATA_FLOAT, l.row, l.row_stride, false);
  auto s = scaled_scores(g, l, x, v, q, kt);
  auto max = g.virt(CUDNN_DATA_FLOAT, l.row, l.row_stride);
  g.reduction(CUDNN_REDUCE_TENSOR_MAX, s, max);
  auto shifted = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_SUB, s, shifted, max);
  auto e = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_EXP, shifted, e);
  auto sum = g.virt(CUDNN_DATA_FLOAT, l.row, l.row_stride);
  g.reduction(CUDNN_REDUCE_TENSOR_ADD, e, sum);
  auto log_sum = g.virt(CUDNN_DATA_FLOAT, l.row, l.row_stride);
  g.pointwise(CUDNN_POINTWISE_LOG, sum, log_sum);
  g.pointwise(CUDNN_POINTWISE_ADD, max, stats, log_sum);
  auto p = g.virt(v.p_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_DIV, e, p, sum);
  g.matmul(p, vv, o);
}

void build_backward(Graph& g, const Shape& x, const Variant& v) {
  const Layouts l(x);
  auto q = g.tensor(kQ, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto k = g.tensor(kK, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto kt = g.tensor(kK, CUDNN_DATA_BFLOAT16, l.bhds, l.bhds_stride, false);
  auto vt = g.tensor(kV, CUDNN_DATA_BFLOAT16, l.bhds, l.bhds_stride, false);
  auto o = g.tensor(kO, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto d_o = g.tensor(kDO, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto stats = g.tensor(kStats, CUDNN_DATA_FLOAT, l.row, l.row_stride, false);
  auto dq = g.tensor(kDQ, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto dk = g.tensor(kDK, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto dv = g.tensor(kDV, CUDNN_DATA_BFLOAT16, l.bhsd, l.bhsd_stride, false);
  auto scale = g.tensor(kScale, CUDNN_DATA_FLOAT, l.scalar, l.scalar_stride, false, true);

  // D = rowsum(dO * O), kept in memory (a float [b, h, s, 1] the caller provides).
  auto prod = g.virt(CUDNN_DATA_FLOAT, l.bhsd, l.bhsd_stride);
  g.pointwise(CUDNN_POINTWISE_MUL, d_o, prod, o);
  auto softmax_sum = g.tensor(kSoftmaxSum, CUDNN_DATA_FLOAT, l.row, l.row_stride, false);
  g.reduction(CUDNN_REDUCE_TENSOR_ADD, prod, softmax_sum);

  // P recomputed from the saved statistics.
  auto s = scaled_scores(g, l, x, v, q, kt);
  auto shifted = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_SUB, s, shifted, stats);
  auto p = g.virt(v.p_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_EXP, shifted, p);
  auto pt = g.virt(v.p_type, l.score, l.score_t_stride);
  g.reshape(p, pt);
  g.matmul(pt, d_o, dv);

  // dS = P * (dO V^T - D) * scale.
  auto dp = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.matmul(d_o, vt, dp);
  auto centered = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_SUB, dp, centered, softmax_sum);
  auto weighted = g.virt(CUDNN_DATA_FLOAT, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_MUL, centered, weighted, p);
  auto ds = g.virt(v.p_type, l.score, l.score_stride);
  g.pointwise(CUDNN_POINTWISE_MUL, weighted, ds, scale);
  auto dst = g.virt(v.p_type, l.score, l.score_t_stride);
  g.reshape(ds, dst);
  g.matmul(dst, q, dk);
  if (v.dq_accumulator) {
    auto acc = g.tensor(kDQAccum, CUDNN_DATA_FLOAT, l.bhsd, l.bhsd_stride, false);
    g.matmul(ds, k, acc);
    g.pointwise(CUDNN_POINTWISE_IDENTITY, acc, dq);
  } else {
    g.matmul(ds, k, dq);
  }
}

// Device tensors of one problem.
struct Tensors {
  DeviceBuffer q, k, v, o, d_o, dq, dk, dv, stats, softmax_sum, dq_accum;
  Tensors(const Shape& x, cudaStream_t stream) {
    const auto bytes = static_cast<std::size_t>(x.elements()) * 2;
    for (DeviceBuffer* t : {&q, &k, &v, &o, &d_o, &dq, &dk, &dv}) *t = DeviceBuffer(bytes);
    stats = DeviceBuffer(static_cast<std::size_t>(x.rows()) * 4);
    softmax_sum = DeviceBuffer(static_cast<std::size_t>(x.rows()) * 4);
    dq_accum = DeviceBuffer(static_cast<std::size_t>(x.elements()) * 4);
    std::uint32_t seed = 17;
    for (DeviceBuffer* t : {&q, &k, &v, &d_o}) {
      fill_random(t->get(), static_cast<std::size_t>(x.elements()), Fill::kBf16, seed++, stream);
    }
  }
};

// The uids and pointers of a variant pack, less the -inf scalar where the graph has no mask
// (a pack may name only tensors its graph declares).
struct Pack {
  std::vector<std::int64_t> uids;
  std::vector<void*> ptrs;
  void add(std::int64_t uid, void* ptr) {
    uids.push_back(uid);
    ptrs.push_back(ptr);
  }
};

// A fused forward and backward pair for one shape, bound to one set of tensors.
class Fused {
 public:
  Fused(cudnnHandle_t handle, const Shape& x, const Variant& fwd_variant,
        const Variant& bwd_variant, Tensors& t)
      : handle_(handle),
        x_(x),
        t_(t),
        scale_(static_cast<float>(x.scale())),
        accumulate_(bwd_variant.dq_accumulator) {
    build_forward(fwd_, x, fwd_variant);
    fwd_.build(handle);
    build_backward(bwd_, x, bwd_variant);
    bwd_.build(handle);
    workspace_ = DeviceBuffer(static_cast<std::size_t>(
        std::max<std::int64_t>({fwd_.workspace(), bwd_.workspace(), 256})));

    Pack f;
    f.add(kQ, t.q.get());
    f.add(kK, t.k.get());
    f.add(kV, t.v.get());
    f.add(kO, t.o.get());
    f.add(kStats, t.stats.get());
    add_scalars(f);
    fwd_pack_ = fwd_.pack(f.uids, f.ptrs, workspace_.get());

    Pack b;
    b.add(kQ, t.q.get());
    b.add(kK, t.k.get());
    b.add(kV, t.v.get());
    b.add(kO, t.o.get());
    b.add(kDO, t.d_o.get());
    b.add(kStats, t.stats.get());
    b.add(kDQ, t.dq.get());
    b.add(kDK, t.dk.get());
    b.add(kDV, t.dv.get());
    b.add(kSoftmaxSum, t.softmax_sum.get());
    add_scalars(b);
    if (accumulate_) b.add(kDQAccum, t.dq_accum.get());
    bwd_pack_ = bwd_.pack(b.uids, b.ptrs, workspace_.get());
  }

  void forward() const { fwd_.execute(handle_, *fwd_pack_); }

  void backward(cudaStream_t stream) const {
    if (accumulate_) {
      // The kernels add into the accumulator: it starts at zero every step, and clearing it is
      // part of the step's cost.
      CIRRUS_CUDA_CHECK(cudaMemsetAsync(t_.dq_accum.get(), 0, t_.dq_accum.size(), stream));
    }
    bwd_.execute(handle_, *bwd_pack_);
  }

 private:
  // By-value scalars travel as host pointers, read when a pack is executed: they live here.
  void add_scalars(Pack& p) {
    p.add(kScale, &scale_);
    if (x_.causal) p.add(kNegInf, &neg_inf_);
  }

  cudnnHandle_t handle_;
  Shape x_;
  Tensors& t_;
  float scale_;
  float neg_inf_ = -INFINITY;
  bool accumulate_;
  Graph fwd_, bwd_;
  DeviceBuffer workspace_;
  std::unique_ptr<Desc> fwd_pack_, bwd_pack_;
};

// The unfused path: six batched GEMMs and two row kernels, scores materialized in bf16.
class Unfused {
 public:
  Unfused(cublasLtHandle_t lt, const Shape& x)
      : x_(x),
        bh_(x.b * x.h),
        scores_(lt, lt_types(models::Precision::kBf16), x.s, x.s, x.d, false, true, bh_, x.s * x.d,
                x.s * x.d, x.s * x.s),
        context_(lt, lt_types(models::Precision::kBf16), x.s, x.d, x.s, false, false, bh_,
                 x.s * x.s, x.s * x.d, x.s * x.d),
        grad_v_(lt, lt_types(models::Precision::kBf16), x.s, x.d, x.s, true, false, bh_, x.s * x.s,
                x.s * x.d, x.s * x.d),
        grad_p_(lt, lt_types(models::Precision::kBf16), x.s, x.s, x.d, false, true, bh_, x.s * x.d,
                x.s * x.d, x.s * x.s),
        grad_q_(lt, lt_types(models::Precision::kBf16), x.s, x.d, x.s, false, false, bh_, x.s * x.s,
                x.s * x.d, x.s * x.d),
        grad_k_(lt, lt_types(models::Precision::kBf16), x.s, x.d, x.s, true, false, bh_, x.s * x.s,
                x.s * x.d, x.s * x.d),
        p_(static_cast<std::size_t>(x.score_elements()) * 2),
        dp_(static_cast<std::size_t>(x.score_elements()) * 2),
        workspace_(kLtWorkspaceBytes) {
    for (const LtMatmul* m : {&scores_, &context_, &grad_v_, &grad_p_, &grad_q_, &grad_k_}) {
      if (!m->ok()) throw GraphError("cuBLASLt has no algorithm for an unfused attention GEMM");
    }
  }

  void forward(Tensors& t, cudaStream_t stream) const {
    scores_.run(t.q.get(), t.k.get(), p_.get(), workspace_.get(), stream,
                static_cast<float>(x_.scale()));
    softmax_rows_bf16(p_.get(), x_.rows(), x_.s, x_.causal, stream);
    context_.run(p_.get(), t.v.get(), t.o.get(), workspace_.get(), stream);
  }
  // Uses P as the forward left it.
  void backward(Tensors& t, cudaStream_t stream) const {
    grad_v_.run(p_.get(), t.d_o.get(), t.dv.get(), workspace_.get(), stream);
    grad_p_.run(t.d_o.get(), t.v.get(), dp_.get(), workspace_.get(), stream);
    softmax_backward_rows_bf16(p_.get(), dp_.get(), x_.rows(), x_.s, static_cast<float>(x_.scale()),
                               stream);
    grad_q_.run(dp_.get(), t.k.get(), t.dq.get(), workspace_.get(), stream);
    grad_k_.run(dp_.get(), t.q.get(), t.dk.get(), workspace_.get(), stream);
  }

 private:
  Shape x_;
  std::int64_t bh_;
  LtMatmul scores_, context_, grad_v_, grad_p_, grad_q_, grad_k_;
  DeviceBuffer p_, dp_, workspace_;
};

std::vector<float> to_host_bf16(const DeviceBuffer& b, std::size_t elements) {
  std::vector<std::uint16_t> raw(elements);
  CIRRUS_CUDA_CHECK(cudaMemcpy(raw.data(), b.get(), elements * 2, cudaMemcpyDeviceToHost));
  std::vector<float> out(elements);
  for (std::size_t i = 0; i < elements; ++i) {
    const std::uint32_t bits = static_cast<std::uint32_t>(raw[i]) << 16;
    std::memcpy(&out[i], &bits, sizeof bits);
  }
  return out;
}

// ||a - b|| / ||b||; infinity when either holds a non-finite value.
double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, ref = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return INFINITY;
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    ref += static_cast<double>(b[i]) * b[i];
  }
  return ref > 0 ? std::sqrt(diff / ref) : INFINITY;
}

// The variants that build and agree with the unfused reference for this causality and head
// width, found on a small problem; nullopt (with the reasons in `why`) when none does.
struct Chosen {
  Variant fwd, bwd;
};
std::optional<Chosen> choose_variants(cudnnHandle_t handle, cublasLtHandle_t lt, bool causal,
                                      std::int64_t d, cudaStream_t stream, std::string& why) {
  const Shape x{1, 2, 256, d, causal};
  Tensors fused(x, stream), ref(x, stream);  // same seeds: same inputs
  const Unfused unfused(lt, x);
  unfused.forward(ref, stream);
  unfused.backward(ref, stream);
  CIRRUS_CUDA_CHECK(cudaStreamSynchronize(stream));
  const auto n = static_cast<std::size_t>(x.elements());
  const auto ref_o = to_host_bf16(ref.o, n);

  constexpr double kTolerance = 0.05;  // bf16 scores in the reference: ~1% expected
  std::optional<Variant> fwd;
  for (const Variant& v : forward_variants(causal)) {
    try {
      Graph g;
      build_forward(g, x, v);
      g.build(handle);
      DeviceBuffer ws(static_cast<std::size_t>(std::max<std::int64_t>(g.workspace(), 256)));
      float scale = static_cast<float>(x.scale()), neg_inf = -INFINITY;
      Pack p;
      p.add(kQ, fused.q.get());
      p.add(kK, fused.k.get());
      p.add(kV, fused.v.get());
      p.add(kO, fused.o.get());
      p.add(kStats, fused.stats.get());
      p.add(kScale, &scale);
      if (causal) p.add(kNegInf, &neg_inf);
      g.execute(handle, *g.pack(p.uids, p.ptrs, ws.get()));
      CIRRUS_CUDA_CHECK(cudaStreamSynchronize(stream));
      const double err = relative_error(to_host_bf16(fused.o, n), ref_o);
      if (err > kTolerance) {
        why =
            fmt::format("fused forward disagrees with the reference (relative error {:.3g})", err);
        continue;
      }
      fwd = v;
      break;
    } catch (const GraphError& e) {
      why = e.what();
    } catch (const CudaError& e) {  // an execution cuDNN refused: try the next variant
      why = e.what();
    }
  }
  if (!fwd) return std::nullopt;

  const auto ref_dq = to_host_bf16(ref.dq, n), ref_dk = to_host_bf16(ref.dk, n),
             ref_dv = to_host_bf16(ref.dv, n);
  for (cudnnDataType_t p :
       {fwd->p_type, fwd->p_type == CUDNN_DATA_FLOAT ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT}) {
    for (bool acc : {true, false}) {
      Variant v = *fwd;
      v.p_type = p;
      v.dq_accumulator = acc;
      try {
        const Fused f(handle, x, *fwd, v, fused);
        f.forward();
        f.backward(stream);
        CIRRUS_CUDA_CHECK(cudaStreamSynchronize(stream));
        const double err = std::max({relative_error(to_host_bf16(fused.dq, n), ref_dq),
                                     relative_error(to_host_bf16(fused.dk, n), ref_dk),
                                     relative_error(to_host_bf16(fused.dv, n), ref_dv)});
        if (err > kTolerance) {
          why = fmt::format("fused backward disagrees with the reference (relative error {:.3g})",
                            err);
          continue;
        }
        return Chosen{*fwd, v};
      } catch (const GraphError& e) {
        why = e.what();
      } catch (const CudaError& e) {
        why = e.what();
      }
    }
  }
  return std::nullopt;
}

struct Config {
  std::int64_t tokens, seq, d;
  bool causal;
};

// 2048-wide attention in total (16 heads of 128 or 32 of 64), as in GPT-style 1-2B models
// and FlashAttention's own benchmarks; batch = tokens / seq.
std::vector<Config> configs(bool quick) {
  std::vector<Config> out;
  if (quick) {
    out.push_back({16384, 2048, 128, true});
    out.push_back({16384, 2048, 128, false});
    out.push_back({16384, 8192, 128, true});
    return out;
  }
  for (bool causal : {true, false}) {
    for (std::int64_t d : {128, 64}) {
      for (std::int64_t s : {512, 1024, 2048, 4096, 8192, 16384})
        out.push_back({16384, s, d, causal});
    }
  }
  out.push_back({4096, 1024, 128, true});
  out.push_back({4096, 4096, 128, true});
  return out;
}

// The unfused path materializes b x h x s x s scores twice; beyond this it is not run.
constexpr double kUnfusedMaxScoreBytes = 4.3e9;

}  // namespace

int attention_units(const BenchContext& ctx) { return static_cast<int>(configs(ctx.quick).size()); }

void bench_attention(BenchContext& ctx, models::Profile& profile) {
  cudnnHandle_t handle = nullptr;
  CIRRUS_CUDNN_CHECK(cudnnCreate(&handle));
  cublasLtHandle_t lt = nullptr;
  CIRRUS_CUBLAS_CHECK(cublasLtCreate(&lt));
  struct Guard {
    cudnnHandle_t h;
    cublasLtHandle_t l;
    ~Guard() {
      cudnnDestroy(h);
      cublasLtDestroy(l);
    }
  } guard{handle, lt};
  CIRRUS_CUDNN_CHECK(cudnnSetStream(handle, ctx.stream));

  TimingPolicy timing;
  timing.repeats = ctx.quick ? 3 : 5;
  timing.min_batch_s = 2e-3;

  // The fused variants per (causal, head width), chosen once.
  struct Choice {
    bool causal;
    std::int64_t d;
    std::optional<Chosen> chosen;
  };
  std::vector<Choice> choices;
  int fused_points = 0, unfused_points = 0;

  for (const Config& c : configs(ctx.quick)) {
    ctx.progress->set_label(fmt::format("attention s={} d={}", c.seq, c.d));
    auto it = std::find_if(choices.begin(), choices.end(),
                           [&](const Choice& x) { return x.causal == c.causal && x.d == c.d; });
    if (it == choices.end()) {
      std::string why;
      std::optional<Chosen> chosen;
      try {
        chosen = choose_variants(handle, lt, c.causal, c.d, ctx.stream, why);
      } catch (const GraphError& e) {  // the unfused reference itself could not be planned
        why = e.what();
      }
      if (!chosen) {
        ctx.notes->push_back(fmt::format(
            "attention ({}, head_dim {}): cuDNN fused SDPA unavailable, timed the unfused path "
            "instead: {}",
            c.causal ? "causal" : "non-causal", c.d, why));
      }
      it = choices.insert(choices.end(), Choice{c.causal, c.d, chosen});
    }
    const std::int64_t heads = 2048 / c.d;
    const Shape x{c.tokens / c.seq, heads, c.seq, c.d, c.causal};
    Tensors t(x, ctx.stream);

    models::AttentionPoint point;
    point.dtype = models::Precision::kBf16;
    point.causal = c.causal;
    point.batch = x.b;
    point.heads = x.h;
    point.seq = x.s;
    point.head_dim = x.d;
    bool timed = false;
    if (it->chosen) {
      try {
        const Fused f(handle, x, it->chosen->fwd, it->chosen->bwd, t);
        point.impl = models::AttentionImpl::kFused;
        point.fwd_s = time_launches(
            ctx.stream, [&](int) { f.forward(); }, timing);
        f.forward();  // the backward reads this forward's O and statistics
        point.bwd_s = time_launches(
            ctx.stream, [&](int) { f.backward(ctx.stream); }, timing);
        timed = true;
        ++fused_points;
      } catch (const GraphError& e) {
        ctx.notes->push_back(
            fmt::format("attention s={} d={}: fused plan failed ({}); unfused "
                        "path timed",
                        c.seq, c.d, e.what()));
      }
    }
    // The unfused path: the fallback, and in a full run a measurement of its own where the
    // scores fit (it is what older Megatron-LM runs used).
    const double score_bytes = static_cast<double>(x.score_elements()) * 2;
    const bool want_unfused = !timed || (!ctx.quick && c.seq <= 4096);
    if (want_unfused && score_bytes <= kUnfusedMaxScoreBytes &&
        2 * score_bytes < ctx.usable_bytes()) {
      try {
        models::AttentionPoint u = point;
        u.impl = models::AttentionImpl::kUnfused;
        const Unfused path(lt, x);
        u.fwd_s = time_launches(
            ctx.stream, [&](int) { path.forward(t, ctx.stream); }, timing);
        path.forward(t, ctx.stream);
        u.bwd_s = time_launches(
            ctx.stream, [&](int) { path.backward(t, ctx.stream); }, timing);
        u.fwd_s = round_significant(u.fwd_s);
        u.bwd_s = round_significant(u.bwd_s);
        profile.attention.push_back(u);
        ++unfused_points;
      } catch (const GraphError& e) {
        ctx.notes->push_back(fmt::format("attention s={} d={}: unfused path unavailable ({})",
                                         c.seq, c.d, e.what()));
      }
    } else if (!timed) {
      ctx.notes->push_back(
          fmt::format("attention s={} d={} b={}: skipped (no fused plan; the "
                      "unfused scores would need {:.1f} GB)",
                      c.seq, c.d, x.b, 2 * score_bytes / 1e9));
    }
    if (timed) {
      point.fwd_s = round_significant(point.fwd_s);
      point.bwd_s = round_significant(point.bwd_s);
      profile.attention.push_back(point);
    }
    ctx.progress->step();
  }
  ctx.say(fmt::format("attention: {} fused and {} unfused points", fused_points, unfused_points));
}

}  // namespace cirrus::calibrate
