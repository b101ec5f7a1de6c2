#pragma once
// Training steps measured on one GPU (calibrate/validation/measure_step.py, PyTorch), read as
// a validation dataset: each row becomes what the simulator takes, tp = pp = dp = 1 on one GPU
// of the node preset for that GPU, with the measured median step time beside it.
//
// Dataset layout (version 1), as measure_step.py writes it to
// data/validation/measured_steps_<gpu>.json:
//   {"cirrus_measured_steps": 1, "title", "date",
//    "device": {"name", "gpu", "node", "driver", "cuda", "torch", "cudnn"},
//    "method": "how the steps were timed",
//    "rows": [{"id", "model": {"layers", "hidden", "heads", "kv_heads", "ffn_hidden",
//              "ffn": "gelu"|"swiglu", "vocab", "seq_len", "tied_embeddings"},
//              "precision": "bf16"|"fp16"|"fp32", "attention": "flash"|"unfused",
//              "recompute": "none"|"selective"|"full", "optimizer": "adam",
//              "micro_batch", "global_batch" (== micro_batch: one GPU, one micro-batch),
//              "step_s" (median), "step_s_samples": [...], "warmup_steps", "timed_steps",
//              "parameters", "peak_memory_gib"}]}
// Refusals are InputErrors naming the file and JSON path.
#include <string>
#include <vector>

#include "models/step/step_input.hpp"

namespace cirrus::scenarios {

struct MeasuredStepRow {
  std::string id;
  models::StepInput input;
  double measured_step_s = 0;  // median over timed steps
  std::vector<double> samples;
  double parameters = 0;       // as PyTorch counted them
  double peak_memory_gib = 0;  // torch.cuda.max_memory_allocated
};

struct MeasuredStepSet {
  std::string file;
  std::string title;
  std::string date;
  std::string device_name;
  std::string gpu;       // cirrus GPU preset id
  std::string node;      // cirrus node preset id whose GPU ran the steps
  std::string software;  // "driver 580.159.04, CUDA 13.0, torch 2.11.0+cu130, cuDNN 91300"
  std::string method;
  std::vector<MeasuredStepRow> rows;
};

MeasuredStepSet parse_measured_steps(const std::string& text, const std::string& file);
MeasuredStepSet load_measured_steps(const std::string& path);

}  // namespace cirrus::scenarios
