#!/usr/bin/env python3
"""Make data/validation/trtllm_serving.json from ../shared/validation/serving_dev.json.

    python3 data/validation/dev/serving_dataset.py [--source PATH] [--check]

The source holds TensorRT-LLM's published offline throughput (trtllm-bench, every request queued
at once, fixed input and output lengths) for FP8 Llama 3.1 8B, 3.3 70B and 3.1 405B on H100 SXM
80GB. Each record becomes one row whose `scenario` is a complete cirrus serving scenario, so a
row can be run by hand with `cirrus serve` (write the object to a file). The setup every row
shares is stated once (`setup`, `assumed`): what TensorRT-LLM does by default where the source
is silent, never what fits the prediction.

--check compares with the committed file instead of writing it; exits 77 when the source is not
there (the ctest validation_serving_generated is then skipped).
"""
import argparse
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
DEFAULT_SOURCE = REPO.parent / "shared" / "validation" / "serving_dev.json"
OUT = REPO / "data" / "validation" / "trtllm_serving.json"

# TensorRT-LLM's LLM API defaults (BuildConfig: max_batch_size 2048, max_num_tokens 8192;
# KvCacheConfig.free_gpu_memory_fraction 0.9; CapacitySchedulerPolicy GUARANTEED_NO_EVICT;
# enable_chunked_prefill False). Recalled from the v1.0-era sources, not re-read.
MAX_BATCH = 2048
MAX_TOKENS = 8192
FREE_FRACTION = 0.9

SETUP = {
    "engine": "TensorRT-LLM trtllm-bench throughput (PyTorch backend), as the source states",
    "node": "dgx-h100 (8 x H100 SXM5 80GB, NVLink4 through NVSwitch); the rows' TP group on one node",
    "quantization": "fp8 (ModelOpt FP8 checkpoints: the transformer blocks' linear layers in fp8, "
                    "the embedding and output layer in bf16)",
    "kv_cache_dtype": "fp8",
    "max_num_seqs": MAX_BATCH,
    "max_num_batched_tokens": MAX_TOKENS,
    "chunked_prefill": "off (the LLM API's default), on for prompts longer than max_num_tokens",
    "admission": "reserve-full (GUARANTEED_NO_EVICT)",
    "kv_cache_free_fraction": FREE_FRACTION,
    "metric": "output tokens per second of the whole TP group: all output tokens / makespan",
}

ASSUMED = [
    "batch limits: TensorRT-LLM LLM API defaults max_batch_size {} and max_num_tokens {} "
    "(recalled, unverified: trtllm-bench may tune both from the KV-cache size and the lengths); "
    "chunked prefill off (the API's default: a prompt runs whole) except where a prompt is "
    "longer than max_num_tokens and could not run whole at all".format(MAX_BATCH, MAX_TOKENS),
    "KV cache: free_gpu_memory_fraction {} of the memory left after the weights, the "
    "activations and the runtime (the record: '0.90 default; 0.95 in many cases'; uncertain)"
    .format(FREE_FRACTION),
    "KV cache in fp8: the source does not say. ModelOpt's FP8 checkpoints are recalled to carry "
    "an fp8 KV-cache scale (kv_cache_quant_algo FP8; unverified), and a bf16 cache cannot give "
    "the published 8B ISL 128 / OSL 2048 figure: a cache filled to its 62.6 GiB is on average "
    "half read per decode step, so one step of its ~235 sequences reads >= 31 GB + 8.5 GB of "
    "weights, >= 11.8 ms at the 3.35 TB/s HBM peak, <= 20k output tokens/s against the 22.7k "
    "published (uncertain)",
    "admission: TensorRT-LLM's default capacity scheduler policy GUARANTEED_NO_EVICT (a request "
    "starts only when its whole prompt and output fit the cache); recalled, unverified",
    "iteration time: cirrus's forward-pass model with the public H100 profile where it covers "
    "a kernel; CUDA graphs and the host's scheduling between iterations are not modelled",
]

WORKLOAD = re.compile(r"ISL=(\d+), OSL=(\d+) \(stdev 0\), (\d+) requests")


def source_text(src):
    return "{} {} @ {}, {}".format(src["repo"], src["path"], src["commit"][:12], src["table"])


def scenario(r, isl, osl, requests):
    m, s = r["model"], r["strategy"]
    assert r["hardware"]["gpu"].startswith("H100-SXM-80GB"), r["id"]
    assert s["pp"] == 1 and not r["model"]["moe"], r["id"]
    assert r["precision"].startswith("fp8"), r["id"]
    assert m["activation"] == "SwiGLU", r["id"]
    return {
        "cirrus": 1,
        "name": r["id"],
        "model": {
            "layers": m["layers"],
            "hidden": m["hidden"],
            "heads": m["heads"],
            "kv_heads": m["kv_heads"],
            "ffn_hidden": m["ffn"],
            "ffn": "swiglu",
            "vocab": m["vocab"],
            "seq_len": isl + osl,
        },
        "cluster": {"node": "dgx-h100", "nodes": 1},
        "serving": {
            "arrivals": {"kind": "offline", "requests": requests},
            "input_tokens": {"dist": "fixed", "value": isl},
            "output_tokens": {"dist": "fixed", "value": osl},
            "replicas": 1,
            "tp": s["tp"],
            "quantization": "fp8",
            "kv_cache_dtype": "fp8",
            "max_num_seqs": MAX_BATCH,
            "max_num_batched_tokens": MAX_TOKENS,
            "chunked_prefill": isl > MAX_TOKENS,
            "admission": "reserve-full",
            "kv_cache_free_fraction": FREE_FRACTION,
        },
    }


def build(src):
    rows = []
    for r in src["records"]:
        w = WORKLOAD.search(r["strategy"]["workload"])
        assert w, r["id"]
        isl, osl, requests = (int(x) for x in w.groups())
        assert r["measured"]["kind"] == "output_throughput", r["id"]
        rows.append({
            "id": r["id"],
            "model": r["model"]["name"],
            "source": source_text(r["source"]),
            "stated": "{}; tp {}; {}; {}".format(r["hardware"]["gpu"], r["strategy"]["tp"],
                                                 r["precision"], r["strategy"]["workload"]),
            "notes": r["notes"],
            "uncertain": r["uncertain"],
            "measured_output_tokens_per_s": r["measured"]["value"],
            "scenario": scenario(r, isl, osl, requests),
        })
    return {
        "cirrus_serving_validation": 1,
        "title": "TensorRT-LLM offline serving throughput (trtllm-bench; FP8 Llama 3.1 8B, 3.3 70B, "
                 "3.1 405B on H100 SXM 80GB)",
        "source": "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md (v1.0 era); each "
                  "row names its table and commit",
        "generated_by": "data/validation/dev/serving_dataset.py from ../shared/validation/"
                        "serving_dev.json (collected {}); edit the script, not this file"
                        .format(src["collected"]),
        "setup": SETUP,
        "assumed": ASSUMED,
        "serving_rows": rows,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default=str(DEFAULT_SOURCE))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    path = pathlib.Path(args.source)
    if not path.exists():
        print("{}: not there; nothing to check".format(path))
        return 77
    text = json.dumps(build(json.loads(path.read_text())), indent=1) + "\n"
    if args.check:
        if OUT.read_text() != text:
            print("{} differs from what {} makes; run it".format(OUT, __file__))
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
