#include "reports/emit_megatron.hpp"

#include <fmt/format.h>
#include <cmath>

#include "models/hardware/precision.hpp"
#include "models/workload/strategy.hpp"

// Argument names and meanings: NVIDIA/Megatron-LM tag core_v0.15.3 (@309ffca)
// megatron/training/arguments.py, as summarised in the project's reference notes
// (shared/reference/formats.md, section (c)): the parallel sizes, --sequence-parallel,
// --use-distributed-optimizer, --recompute-*, --overlap-grad-reduce, --tp-comm-overlap, the
// batch and sequence sizes, --bf16/--fp16/--fp8-format, the MoE and model-shape arguments. The
// few arguments outside that list are marked where they are emitted.
namespace cirrus::reports {
namespace {

std::string str(long long v) { return std::to_string(v); }

class Builder {
 public:
  void arg(std::string flag, std::string value = {}, std::string env = {}) {
    out.args.push_back({std::move(flag), std::move(value), std::move(env)});
  }
  void note(std::string text) { out.notes.push_back(std::move(text)); }
  MegatronArgs out;
};

void parallel(Builder& b, const models::StepInput& in) {
  const models::Strategy& s = in.strategy;
  b.arg("--tensor-model-parallel-size", str(s.tp), "TP");
  b.arg("--pipeline-model-parallel-size", str(s.pp), "PP");
  b.arg("--context-parallel-size", str(s.cp), "CP");
  b.arg("--expert-model-parallel-size", str(s.ep), "EP");
  b.note(fmt::format(
      "data parallel {} is not an argument: Megatron-LM derives it as GPUs / (TP x PP x CP) = "
      "{} / {}",
      s.dp, s.gpus(), s.tp * s.pp * s.cp));
  if (s.pp > 1 && s.schedule == models::Schedule::kInterleaved && s.virtual_stages > 1) {
    b.arg("--num-layers-per-virtual-pipeline-stage",
          str(in.model.layers / (s.pp * s.virtual_stages)));
  }
  if (s.pp > 1 && s.schedule == models::Schedule::kGpipe) {
    b.note(
        "schedule gpipe: Megatron-LM has no GPipe schedule and runs 1F1B, which holds fewer "
        "micro-batches' activations");
  }
  if (s.sequence_parallel && s.tp > 1) b.arg("--sequence-parallel");
  if (s.cp > 1 && in.model.seq_len % (2L * s.cp) != 0) {
    b.note(fmt::format(
        "Megatron-LM needs --seq-length a multiple of 2 x CP = {} when CP > 1; {} is not", 2 * s.cp,
        in.model.seq_len));
  }
}

void sharding(Builder& b, const models::StepInput& in) {
  const models::Strategy& s = in.strategy;
  if (s.zero >= 1) b.arg("--use-distributed-optimizer");
  if (s.zero == 2) {
    b.note(
        "zero 2: Megatron-LM's distributed optimizer shards the optimizer state (ZeRO-1) and "
        "reduce-scatters gradients, but keeps a full gradient buffer: more memory than "
        "simulated");
  }
  if (s.zero >= 3) {
    b.note(fmt::format(
        "zero {} (ZeRO-3 / FSDP, parameters sharded): no Megatron-LM argument in the sourced "
        "list; --use-distributed-optimizer (ZeRO-1) emitted instead: parameters and gradients "
        "are not sharded, so memory per GPU is higher than simulated",
        s.zero));
  }
  if (s.zero >= 1 && s.dp_shard > 0) {
    b.note(fmt::format(
        "strategy.dp_shard {} (hybrid sharding): the distributed optimizer shards over the whole "
        "data-parallel group instead",
        s.dp_shard));
  }
  if (s.offload.any()) {
    b.note(fmt::format(
        "strategy.offload (params {}, optimizer {}): no Megatron-LM argument; not emitted, so "
        "everything stays on the GPU",
        models::to_string(s.offload.params), models::to_string(s.offload.optimizer)));
  }
  if (s.overlap.dp && s.dp * s.cp > 1) b.arg("--overlap-grad-reduce");
  if (s.overlap.tp && s.tp > 1) {
    if (s.sequence_parallel) {
      b.arg("--tp-comm-overlap");
    } else {
      b.note("overlap.tp: Megatron-LM's --tp-comm-overlap needs --sequence-parallel; not emitted");
    }
  }
}

void recompute(Builder& b, const models::Strategy& s) {
  switch (s.recompute) {
    case models::Recompute::kNone:
      break;
    case models::Recompute::kSelective:
      b.arg("--recompute-granularity", "selective");
      break;
    case models::Recompute::kFull:
      b.arg("--recompute-granularity", "full");
      b.arg("--recompute-method", "uniform");
      b.arg("--recompute-num-layers", "1");
      break;
    case models::Recompute::kSelectiveOp:
    case models::Recompute::kSelectiveLayer:
      b.note(fmt::format(
          "recompute {} is torchtitan's; Megatron-LM has no equivalent and no recomputation "
          "argument is emitted, so activations take more memory than simulated",
          models::to_string(s.recompute)));
      break;
  }
}

void batch(Builder& b, const models::StepInput& in) {
  b.arg("--micro-batch-size", str(in.strategy.micro_batch), "MICRO_BATCH");
  b.arg("--global-batch-size", str(in.training.global_batch), "GLOBAL_BATCH");
  b.arg("--seq-length", str(in.model.seq_len), "SEQ_LEN");
  // Outside the sourced list: Megatron-LM requires it (arguments.py, _add_network_size_args);
  // with rotary embeddings it only bounds the sequence.
  b.arg("--max-position-embeddings", str(in.model.seq_len), "SEQ_LEN");
  const double tokens_per_step =
      static_cast<double>(in.training.global_batch) * static_cast<double>(in.model.seq_len);
  if (in.training.tokens > 0) {
    b.arg("--train-iters", fmt::format("{:.0f}", std::ceil(in.training.tokens / tokens_per_step)));
  } else {
    b.note("training.tokens not given: --train-iters not emitted");
  }
}

void shape(Builder& b, const models::TransformerConfig& m) {
  b.arg("--num-layers", str(m.layers));
  b.arg("--hidden-size", str(m.hidden));
  b.arg("--num-attention-heads", str(m.heads));
  if (m.kv_heads > 0 && m.kv_heads < m.heads) {
    b.arg("--group-query-attention");
    b.arg("--num-query-groups", str(m.kv_heads));
  }
  b.arg("--ffn-hidden-size", str(m.ffn_hidden));
  if (m.ffn == models::FfnKind::kSwiglu) b.arg("--swiglu");
  if (!m.tied_embeddings) b.arg("--untie-embeddings-and-output-weights");
  if (m.rmsnorm) b.arg("--normalization", "RMSNorm");
  if (m.rotary) b.arg("--position-embedding-type", "rope");
  if (!m.dropout) {
    // Outside the sourced list: arguments.py (_add_regularization_args) defaults both to 0.1.
    b.arg("--attention-dropout", "0.0");
    b.arg("--hidden-dropout", "0.0");
  }
  b.note(fmt::format(
      "not generated: data (--data-path), the tokenizer (which sets the vocabulary; the model "
      "has {}), the learning-rate schedule and checkpoints: add them after these",
      m.vocab));
}

void moe(Builder& b, const models::TransformerConfig& m, const models::Strategy& s) {
  if (!m.moe) return;
  const models::MoeConfig& e = *m.moe;
  b.arg("--num-experts", str(e.experts));
  b.arg("--moe-router-topk", str(e.top_k));
  if (e.expert_ffn_hidden > 0) b.arg("--moe-ffn-hidden-size", str(e.expert_ffn_hidden));
  if (e.shared_experts > 0) {
    b.arg("--moe-shared-expert-intermediate-size", str(e.shared_experts * m.expert_ffn_hidden()));
  }
  if (e.first_dense_layers > 0) {
    // The list form: one 0 (dense) or 1 (MoE) per layer, as the model's pattern says.
    std::string pattern = "[";
    for (int l = 0; l < m.layers; ++l)
      pattern += fmt::format("{}{}", l ? "," : "", m.is_moe_layer(l) ? 1 : 0);
    b.arg("--moe-layer-freq", "\"" + pattern + "]\"");
  } else if (e.layer_freq != 1) {
    b.arg("--moe-layer-freq", str(e.layer_freq));
  }
  if (s.ep > 1) b.arg("--moe-token-dispatcher-type", "alltoall");
  if (e.drop_tokens) {
    b.note(fmt::format(
        "model.moe capacity_factor {} with token dropping{}: not in the sourced argument list; "
        "Megatron-LM's default is dropless",
        e.capacity_factor, e.pad_to_capacity ? " and padding" : ""));
  }
}

void precision(Builder& b, const models::Training& t) {
  switch (t.precision) {
    case models::Precision::kBf16:
      b.arg("--bf16");
      break;
    case models::Precision::kFp16:
      b.arg("--fp16");
      break;
    case models::Precision::kFp8:
      // Transformer Engine's FP8 runs the GEMMs; the rest stays bf16.
      b.arg("--bf16");
      b.arg("--fp8-format", "hybrid");
      if (t.fp8_all_gather) {
        b.note("training.fp8_all_gather is torchtitan's FSDP setting: no equivalent emitted");
      }
      break;
    case models::Precision::kFp32:
    case models::Precision::kTf32:
      b.note(fmt::format(
          "precision {}: no precision argument (Megatron-LM's default is fp32; PyTorch decides "
          "whether its matmuls use TF32)",
          models::to_string(t.precision)));
      break;
  }
  if (t.optimizer == models::Optimizer::kSgd) {
    b.note("optimizer sgd: Megatron-LM's default optimizer is adam; choose sgd yourself");
  }
  if (t.kernels == models::Kernels::kEager || t.loss() == models::Kernels::kEager ||
      t.norm() == models::Kernels::kEager) {
    b.note("training.kernels eager was simulated; Megatron-LM runs fused kernels");
  }
}

}  // namespace

MegatronArgs megatron_args(const EmitConfig& c) {
  const models::StepInput& in = c.input;
  Builder b;
  b.note("Megatron-LM arguments for pretrain_gpt.py (names of core_v0.15.3)");
  parallel(b, in);
  sharding(b, in);
  recompute(b, in.strategy);
  batch(b, in);
  shape(b, in.model);
  moe(b, in.model, in.strategy);
  precision(b, in.training);
  if (in.strategy.attention == models::AttentionKernel::kUnfused) {
    b.note("strategy.attention unfused was simulated; Megatron-LM runs a fused attention kernel");
  }
  return std::move(b.out);
}

std::string render_megatron(const EmitConfig& c) {
  const MegatronArgs m = megatron_args(c);
  std::string o = "# " + emit_header(c) + "\n";
  for (const std::string& n : m.notes) o += "# " + n + "\n";
  for (std::size_t i = 0; i < m.args.size(); ++i) {
    const MegatronArg& a = m.args[i];
    o += a.value.empty() ? a.flag : a.flag + " " + a.value;
    o += i + 1 < m.args.size() ? " \\\n" : "\n";
  }
  return o;
}

}  // namespace cirrus::reports
