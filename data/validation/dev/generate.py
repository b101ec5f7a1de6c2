#!/usr/bin/env python3
"""Turns the shared development records into `cirrus validate` datasets.

    python3 data/validation/dev/generate.py [--source PATH] [--check]

reads ../shared/validation/training_runs_dev.json (beside the repository; --source overrides)
and writes, under data/validation/:

    mosaicml_mpt.json    MosaicML llm-foundry MPT tables (A100 40/80 GB, H100)
    torchtitan.json      torchtitan Llama 3.1 / 3 / 2 benchmarks (H100 96 GB 500 W, A100, H200)
    bloom_mtnlg.json     BLOOM-176B and MT-NLG 530B
    nccl_2node_efa.json  the two 2-node nccl-tests all_reduce curves (AWS p5, p4de; EFA)

The outputs are committed, so cirrus's build and CI never need ../shared. They are the one
transcription of these records: `cirrus validate` reads them, and so does the memory test
(tests/unit/models/memory_records_test.cpp: published peaks, runs that must fit). --check regenerates
in memory and exits 1 when a committed file differs, 77 when the source is not there (the test
suite runs it as validation_datasets_generated, skipped without ../shared). Standard library only, deterministic output.

Every record goes into exactly one file; the script stops if a record is not mapped. A row
carries the record's id, the published figure, the setup as the source states it (`stated`),
its source and notes, and what cirrus assumed where the source is silent: the dataset's
`assumed` lines and a row's own. Assumptions follow what the framework did by default at the
time of the run (named with its version where we know it), never what fits the prediction.
"""

import argparse
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
OUT = REPO / "data" / "validation"
DEFAULT_SOURCE = REPO.parent / "shared" / "validation" / "training_runs_dev.json"
GENERATED_BY = ("data/validation/dev/generate.py from ../shared/validation/"
                "training_runs_dev.json (collected {collected}); edit the script, not this file")


def source_text(src):
    """One line naming where a record comes from."""
    if src.get("repo") and src.get("path") and "arxiv" not in src.get("url", ""):
        where = "{} {} @ {}".format(src["repo"], src["path"], src["commit"][:12])
        if src.get("table"):
            where += ", " + src["table"]
        return where
    parts = [src["title"]]
    if src.get("url"):
        parts.append(src["url"])
    if src.get("repo"):
        parts.append("as transcribed in {} {} @ {}".format(src["repo"], src["path"],
                                                           src["commit"][:12]))
    return "; ".join(parts)


def stated_text(r):
    """The record's setup as its source states it, in one line."""
    h, s, m = r["hardware"], r["strategy"], r["model"]
    bits = ["{}: {} GPUs".format(h["gpu"], h["gpus"])]
    if h.get("node"):
        bits.append("node: " + h["node"])
    if h.get("interconnect"):
        bits.append("network: " + h["interconnect"])
    layout = "tp {} pp {} dp {} cp {}".format(s["tp"], s["pp"], s["dp"], s["cp"])
    if s.get("vp"):
        layout += " vp {}".format(s["vp"])
    bits.append(layout)
    mb = s.get("micro_batch")
    batch = "micro-batch {}".format(mb if mb is not None else "not stated")
    if s.get("grad_accum") is not None:
        batch += ", gradient accumulation {}".format(s["grad_accum"])
    batch += ", global batch {} ({} tokens)".format(s["global_batch"], s["global_batch_tokens"])
    bits.append(batch)
    for key, label in (("schedule", "schedule"), ("recompute", "recompute"),
                       ("zero_stage", "sharding"), ("framework", "framework")):
        if s.get(key) is not None:
            bits.append("{}: {}".format(label, s[key]))
    bits.append("precision: " + r["precision"])
    if m and m.get("attention"):
        bits.append("attention: " + m["attention"])
    bits.append("measured: {} {}".format(r["measured"]["value"], r["measured"]["unit"]))
    return "; ".join(bits)


def note_text(r):
    """The record's notes, what else it publishes, and how the record was checked."""
    note = r["notes"]
    if r.get("uncertain"):
        note += " (The record is marked uncertain.)"
    others = ["{} {} ({})".format(o["kind"], o["value"], o["unit"])
              for o in r.get("other_measured", []) if o["kind"] != "peak_memory"]
    if others:
        note += " Also published: " + "; ".join(others) + "."
    note += " Record verification: " + r["verification"]
    return note


def model_keys(m, ffn, tied, rotary, rmsnorm, dropout):
    out = {"params_b": m["params_b"], "layers": m["layers"], "hidden": m["hidden"],
           "heads": m["heads"]}
    if m["kv_heads"] != m["heads"]:
        out["kv_heads"] = m["kv_heads"]
    out.update({"ffn_hidden": m["ffn"], "ffn": ffn, "seq_len": m["seq_len"],
                "vocab": m["vocab"], "tied_embeddings": tied, "rotary": rotary,
                "rmsnorm": rmsnorm, "dropout": dropout})
    return out


def layout_keys(s, gpus):
    out = {"global_batch": s["global_batch"], "tp": s["tp"], "pp": s["pp"], "dp": s["dp"],
           "cp": s["cp"], "gpus": gpus}
    assert s["tp"] * s["pp"] * s["dp"] * s["cp"] == gpus, s
    return out


def base_row(r):
    return {"record_id": r["id"], "source": source_text(r["source"]), "stated": stated_text(r),
            "note": note_text(r)}


def peak_memory(r):
    for o in r["other_measured"]:
        if o["kind"] == "peak_memory":
            return o["value"]
    return None


# ------------------------------------------------------------------------------------------
# MosaicML llm-foundry MPT
# ------------------------------------------------------------------------------------------

MOSAIC_NODES = {
    "H100-80GB (SXM assumed; table says h100_80gb)": "dgx-h100",
    "A100-SXM4-40GB": "dgx-a100-40gb",
    "A100-SXM4-80GB": "dgx-a100-80gb",
}

MOSAIC_ASSUMED = [
    "hardware: the tables name the GPU (H100 80GB, 'h100_80gb', read as the SXM part; A100 "
    "SXM4 40GB and 80GB) and, for A100, 1600 Gb/s RoCE between nodes; cirrus runs DGX-class "
    "nodes of 8 GPUs on NVSwitch (MosaicML platform nodes are 8-GPU, not verified): "
    "dgx-a100-40gb and dgx-a100-80gb (8 x 200 Gb/s = 1600 Gb/s, as stated), dgx-h100 (8 x 400 "
    "Gb/s; the H100 tables state no network)",
    "sharding: FSDP FULL_SHARD over all GPUs as ZeRO-3: each block's parameters all-gathered "
    "before its forward and its backward and its gradients reduce-scattered, on every "
    "micro-batch (Composer keeps FSDP's gradient synchronization on during gradient "
    "accumulation, as we understand it; not checked against the Composer version of the runs), "
    "overlapped with compute (FSDP prefetching)",
    "mixed precision: Composer's FSDP modes as the table gives them: 'DEFAULT' (bf16 parameters "
    "and compute, gradients reduced in fp32; precision amp_bf16) and 'PURE' (bf16 throughout, "
    "bf16 reduction; precision bf16) both run as bf16: cirrus reduces bf16 gradients in fp32 "
    "(models/hardware/precision.hpp), as DEFAULT does, so the PURE rows move twice the reduce-scatter "
    "bytes they moved for real (cirrus has no bf16-reduction setting)",
    "attention: attn_impl 'flash' is Dao's flash-attn package; the README does not say which "
    "version. cirrus assumes FlashAttention (v1, flash1): the MPT throughput tables came out "
    "with MPT-7B and MPT-30B (May-June 2023), before FlashAttention-2's release (July 2023), "
    "and llm-foundry's GPU install pinned flash-attn 1.0.x until it moved to flash-attn 2 late "
    "in 2023 (as we recall llm-foundry's releases; not re-checked: uncertain). cirrus prices "
    "FlashAttention at FlashAttention-2's curve / 2, the speed-up FA2's paper reports",
    "element-wise kernels eager (kernels 'eager'): Composer's trainer runs the model in eager "
    "PyTorch (no torch.compile); MPT's low-precision LayerNorm (LPLayerNorm: "
    "F.layer_norm in 16 bits) and its GeLU are one native kernel each, so cirrus prices and "
    "counts them as one kernel that saves its input (no fp32 upcast: that is eager RMSNorm's)",
    "loss: llm-foundry's default loss_fn 'fused_crossentropy' (ComposerMPTCausalLM; the pretrain "
    "yamls set no loss_fn): flash-attn's cross-entropy kernel (xentropy), which keeps the "
    "16-bit logits and writes a 16-bit gradient, fp32 only in registers: loss_kernels 'fused' "
    "(as we recall modeling_mpt.py of 2023-2024 and the flash-attn 1.0.x kernel; not "
    "re-checked: uncertain)",
    "activation checkpointing as the table's column: 'full' checkpoints every MPT block "
    "(recompute full), otherwise none; activation CPU offload off, as stated",
    "model: MPT blocks as a GeLU FFN of 4 x hidden, multi-head attention, LayerNorm, tied input "
    "and output embeddings, vocabulary 50368, no dropout (llm-foundry's pretrain yamls set "
    "attn_pdrop, resid_pdrop and emb_pdrop to 0, as we recall them), ALiBi instead of rotary "
    "embeddings (a bias inside the flash kernel: rotary false); MPT's missing biases are not "
    "priced separately",
    "optimizer states as Adam (fp32 master weights and two moments), sharded by FSDP",
    "published figure: the Throughput (T/s/GPU) column, measured over about 12 steps per "
    "configuration (README); step time = global batch x sequence length / (GPUs x tokens/s "
    "per GPU)",
]


def mosaic_row(r):
    s, m, h = r["strategy"], r["model"], r["hardware"]
    row = base_row(r)
    row["node"] = MOSAIC_NODES[h["gpu"]]
    row.update(model_keys(m, "gelu", True, rotary=False, rmsnorm=False, dropout=False))
    row.update(layout_keys(s, h["gpus"]))
    row["micro_batch"] = s["micro_batch"]
    assert s["global_batch"] == s["dp"] * s["micro_batch"] * s["grad_accum"], r["id"]
    rec = s["recompute"]
    row["recompute"] = {"full activation checkpointing": "full", "none": "none"}[rec]
    assert r["precision"] in ("amp_bf16", "bf16"), r["id"]
    assert ("MP mode DEFAULT" in s["framework"]) == (r["precision"] == "amp_bf16"), r["id"]
    assert s["zero_stage"].startswith("FSDP FULL_SHARD"), r["id"]
    assert m["attention"].startswith("FlashAttention (attn_impl: flash)"), r["id"]
    assert r["measured"]["unit"] == "tokens/s/GPU", r["id"]
    row["tokens_per_s_per_gpu"] = r["measured"]["value"]
    return row


def mosaic_dataset(records, collected):
    src = records[0]["source"]
    return {
        "title": "MosaicML llm-foundry MPT training throughput (Composer + PyTorch FSDP; A100 "
                 "40GB, A100 80GB, H100 80GB; 8 to 512 GPUs)",
        "source": "mosaicml/llm-foundry {} @ {} ({}), MPT Training Benchmarks tables".format(
            src["path"], src["commit"][:12], src["url"]),
        "generated_by": GENERATED_BY.format(collected=collected),
        "note": "Rows from shared/validation/training_runs_dev.json, each with its record id, "
                "the table it comes from, its stated setup and the record's notes.",
        "setup": {"framework": "MosaicML Composer FSDP", "precision": "bf16", "zero": 3,
                  "attention": "flash1", "kernels": "eager", "loss_kernels": "fused",
                  "sequence_parallel": False,
                  "schedule": "1f1b", "overlap": {"dp": True, "tp": False, "pp": True}},
        "assumed": MOSAIC_ASSUMED,
        "rows": [mosaic_row(r) for r in records],
    }


# ------------------------------------------------------------------------------------------
# torchtitan
# ------------------------------------------------------------------------------------------

TITAN_NODES = {
    "H100 (SXM, 96GB HBM2e, 500 W cap)": "grand-teton-h100",
    "A100-80GB": "dgx-a100-80gb",
    "H200-SXM-141GB": "dgx-h200",
}

TITAN_ASSUMED = [
    "hardware: H100 rows on Meta's Grand Teton hosts as the benchmark states (8 x H100 96 GB "
    "HBM2e at 500 W, NVLink through NVSwitch, 400 Gb/s RDMA per GPU): grand-teton-h100; A100 "
    "rows: docs/performance.md says only '64 A100 (80GB)', cirrus assumes DGX A100 80GB nodes "
    "(8 x 200 Gb/s HDR; network not stated); H200 rows: 8 x H200 per host with 400 Gb/s "
    "ConnectX-7 per GPU, as stated: dgx-h200",
    "attention: torchtitan calls PyTorch's scaled_dot_product_attention, which runs "
    "FlashAttention-2 (its flash backend) on A100, H100 and H200 in these builds: PyTorch 2.5 "
    "put cuDNN attention first on H100, 2.5.1 and the 2.6 nightlies (the Dec 2024 runs used "
    "torch 1963fc8) moved FlashAttention-2 back in front, and torchtitan's own SDPA wrapper put "
    "cuDNN first only on Blackwell (2025): flash2 on every row (as we recall the release notes; "
    "uncertain for the H200 runs on torch 2.8.0a0)",
    "FSDP2 without pipeline parallelism: ZeRO-3 over dp x cp (fully_shard per block, reshard "
    "after forward except the last block, all-gathers prefetched and reduce-scatters overlapped "
    "with compute); torchtitan had no gradient accumulation at these commits, so the local "
    "batch is one micro-batch",
    "FSDP2 with pipeline parallelism (405B rows): torchtitan does not reshard after forward "
    "under PP, and torch.distributed.pipelining turns gradient synchronization off until a "
    "stage's last backward: ZeRO-3 as cirrus models FSDP2 under a pipeline (parameters "
    "gathered at a chunk's first forward and kept, gradients reduce-scattered in the last "
    "micro-batch's backward); torch runs FSDP's post-backward for the whole stage after that "
    "backward, so the real reduction may overlap less than cirrus's per-layer buckets",
    "mixed precision: FSDP2 with bf16 parameters and torchtitan's default fp32 gradient "
    "reduction (training.mixed_precision_reduce = float32); cirrus reduces gradients in the "
    "training precision (bf16), half the reduce-scatter bytes",
    "fp8 rows: torchao Float8 with tensorwise dynamic scaling on the linear layers (the output "
    "projection excluded), attention in bf16, as cirrus's fp8 precision prices them; fp8 "
    "all-gather of FSDP parameters off unless the record states it (torchtitan's default "
    "float8.enable_fsdp_float8_all_gather = false); the H200 rows state it on",
    "torch.compile rows: element-wise kernels fused (kernels 'fused'); rows without it eager "
    "(torchtitan's default training.compile = false; docs/performance.md does not mention "
    "compile)",
    "the loss under torch.compile: torchtitan compiled each TransformerBlock alone "
    "(parallelize_llama.py, apply_compile); in the Dec 2024 runs (torchtitan 9dec370) the final "
    "RMSNorm, the output projection and the loss ran eager, the loss as "
    "cross_entropy(pred.flatten(0, 1).float(), ...) with its torch.compile commented out in "
    "train.py ('compiling loss function causes CUDA errors'): loss_kernels 'eager' (fp32 "
    "logits, log-softmax and gradient buffers); the June 2025 H200 runs (e7c0cae) compiled the "
    "loss as well (components/loss.py compiles it when compile is on): loss 'fused' (both as we "
    "recall torchtitan at those commits; not re-checked). cirrus counts the final RMSNorm with "
    "the blocks' kernels, so the Dec 2024 compiled rows miss its fp32 upcast: 4 bytes x hidden "
    "per token, 0.25 GiB for 8B at local batch 2",
    "norms of the A100 Llama 2 rows: torchtitan's train_configs/llama2_13b.toml and "
    "llama2_70b.toml of 2024 set model.norm_type 'fused_rmsnorm' (a Triton RMSNorm that saves "
    "its input and rstd), the Llama 3 configs 'rmsnorm' (eager): norm_kernels 'fused' on the "
    "Llama 2 rows, the rest of the model eager (as we recall the configs; docs/performance.md "
    "names no config file: uncertain)",
    "tensor parallelism: torchtitan's plan shards the norms over the sequence (sequence "
    "parallelism on); AsyncTP rows overlap the TP collectives with the GEMMs (overlap.tp "
    "true), the others do not",
    "activation checkpointing: 'selective' without an option is the op policy of "
    "train_configs/llama3_8b.toml at these commits (selective-op); 'selective (layer)' is "
    "torchtitan's default selective_ac_option '2': every second block fully checkpointed "
    "(selective-layer, recompute_every 2)",
    "pipeline (405B rows): the number of micro-batches is not stated; torchtitan's default at "
    "the Dec 2024 commit is one per pipeline stage (pp x stages per rank), with 2 stages per "
    "rank for an interleaved schedule when no split points are given: 1F1B 8 micro-batches of "
    "4 sequences, Interleaved 1F1B 16 of 2 (virtual_stages 2), the CP rows' local batch 8 in 8 "
    "micro-batches of 1 (as we recall pipelining_utils.py; the benchmark gives no config file). "
    "126 layers do not split evenly: torchtitan's default split points give the extra layers to "
    "the middle stages (as we recall generate_split_points), cirrus to the first chunks; the "
    "busiest stage holds 16 layers (8 per chunk when interleaved) either way",
    "published figures: tokens/s per GPU as torchtitan logs them (TPS/GPU at iteration 90 for "
    "the Dec 2024 H100 runs, sampled at iteration 100 for H200; the A100 page's 'WPS' column, "
    "per GPU as its MFU column confirms); step time = global batch x sequence length / (GPUs x "
    "tokens/s per GPU); peak memory: torchtitan's logged figure, the caching allocator's "
    "maximum reserved memory (GiB; torchtitan's DeviceMemoryMonitor reports "
    "torch.cuda.memory_stats()'s reserved_bytes.all.peak), which is above what tensors hold: "
    "compared with cirrus's predicted reserved memory (memory_gib.reserved: the peak less the "
    "CUDA context and NCCL buffers outside the allocator, a 1 GiB allowance), not its whole "
    "peak",
]


def titan_row(r):
    s, m, h = r["strategy"], r["model"], r["hardware"]
    rid = r["id"]
    row = base_row(r)
    row["node"] = TITAN_NODES[h["gpu"]]
    row.update(model_keys(m, "swiglu", False, rotary=True, rmsnorm=True, dropout=False))
    row.update(layout_keys(s, h["gpus"]))
    assumed = []
    fw = s["framework"]
    prec = r["precision"]
    compiled = "torch.compile" in fw
    if prec.startswith("fp8"):
        row["precision"] = "fp8"
        if "fsdp float8 all-gather" in prec:
            row["fp8_all_gather"] = True
    else:
        assert prec == "bf16", rid
    if compiled:
        row["kernels"] = "fused"
        if r["source"]["path"] == "benchmarks/llama3_h100_202412_torchtitan.md":
            row["loss_kernels"] = "eager"
            assumed.append("torch.compile on the transformer blocks only: the loss ran eager on "
                           "fp32 logits (torchtitan 9dec370's train.py left it uncompiled), "
                           "loss_kernels eager")
    if r["model"]["name"].startswith("Llama 2"):
        assert not compiled, rid
        row["norm_kernels"] = "fused"
        assumed.append("RMSNorm as torchtitan's Triton fused_rmsnorm (norm_type of the 2024 "
                       "llama2 configs, as we recall them; not stated by the page), the rest "
                       "eager: norm_kernels fused")
    rec = s["recompute"]
    if rec == "full":
        row["recompute"] = "full"
    elif rec == "none":
        row["recompute"] = "none"
    elif rec == "selective (layer)":
        row["recompute"] = "selective-layer"
        row["recompute_every"] = 2
    elif rec in ("selective (op)", "selective",
                 "default of llama3_8b.toml (selective op) [assumed]"):
        row["recompute"] = "selective-op"
    else:
        raise SystemExit("unmapped recompute {!r} in {}".format(rec, rid))
    if s["tp"] > 1:
        row["sequence_parallel"] = True
        if "AsyncTP" in fw:
            row["overlap"] = {"tp": True}
    if s["pp"] > 1:
        # One micro-batch per stage (torchtitan's default n_microbatches).
        interleaved = s["schedule"] == "Interleaved 1F1B"
        assert interleaved or s["schedule"] == "1F1B", rid
        stages = s["pp"] * (2 if interleaved else 1)
        local = s["global_batch"] // s["dp"]
        assert local % stages == 0, rid
        row["micro_batch"] = local // stages
        row["schedule"] = "interleaved" if interleaved else "1f1b"
        if interleaved:
            row["virtual_stages"] = 2
        assumed.append("{} micro-batches of {} sequences per step (local batch {} per DP rank; "
                       "torchtitan's default n_microbatches = {} stages)".format(
                           stages, local // stages, local, stages))
    else:
        mb = s["micro_batch"]
        assert s["global_batch"] == s["dp"] * mb, rid
        row["micro_batch"] = mb
    if "global batch derived" in r["notes"]:
        assumed.append("global batch derived by the record's author: local batch 8 x FSDP "
                       "degree (dp)")
    if row["node"] == "dgx-h200":
        assumed.append("sequence length 8192 from the default llama3_8b.toml (the benchmark "
                       "file does not restate it); selective-op checkpointing likewise assumed "
                       "by the record")
    mem = peak_memory(r)
    if mem is not None:
        row["peak_memory_gib"] = mem
    assert r["measured"]["kind"] == "throughput_per_gpu", rid
    row["tokens_per_s_per_gpu"] = r["measured"]["value"]
    if assumed:
        row["assumed"] = assumed
    return row


def titan_dataset(records, collected):
    return {
        "title": "torchtitan Llama training throughput (FSDP2, TP, async TP, PP, CP to 262k "
                 "tokens; H100 96GB 500 W bf16 and fp8, A100 80GB, H200)",
        "source": "pytorch/torchtitan: benchmarks/llama3_h100_202412_torchtitan.md (Dec 2024, "
                  "torch 1963fc8, torchao eab345c, torchtitan 9dec370), docs/performance.md "
                  "(64 A100 80GB), benchmarks/llama3_8b_h200_2025-06_torchtitan_trainy_"
                  "whitefiber.md (June 2025); each row names its file and commit",
        "generated_by": GENERATED_BY.format(collected=collected),
        "note": "Rows from shared/validation/training_runs_dev.json, each with its record id, "
                "its benchmark file and commit, its stated setup and the record's notes.",
        "setup": {"framework": "torchtitan", "precision": "bf16", "zero": 3,
                  "attention": "flash2", "kernels": "eager", "sequence_parallel": False,
                  "schedule": "1f1b", "overlap": {"dp": True, "tp": False, "pp": True}},
        "assumed": TITAN_ASSUMED,
        "rows": [titan_row(r) for r in records],
    }


# ------------------------------------------------------------------------------------------
# BLOOM-176B and MT-NLG 530B
# ------------------------------------------------------------------------------------------

BIG_ASSUMED = [
    "precision bf16 (both runs), Adam; full activation recomputation: BLOOM states it; for "
    "MT-NLG the paper's 126 TFLOP/s per GPU counts a recomputed forward (8 x 530e9 x 3.93M "
    "tokens / 60.1 s / 2240 GPUs = 124 TFLOP/s before attention)",
    "MT-NLG micro-batch: not published, and Megatron-LM has no default (--micro-batch-size is "
    "required): 1, as cirrus assumes for the SC'21 rows; 240, 192 and 160 micro-batches per "
    "step at dp 8, 10 and 12",
    "MT-NLG ZeRO stage: not published; DeepSpeed's default is none (stage 0) and its pipeline "
    "engine refuses stages 2 and 3: zero 0 (BLOOM states ZeRO-1)",
    "schedule: DeepSpeed's pipeline engine, 1F1B-style and not interleaved (1f1b)",
    "attention unfused (Megatron's batched GEMMs with the fused scale-mask-softmax; "
    "FlashAttention was not in either run), element-wise kernels fused (Megatron's fused "
    "bias-GeLU, LayerNorm and softmax), no sequence parallelism (2022)",
    "no overlap of data-parallel or pipeline communication with compute: DeepSpeed's pipeline "
    "engine reduces gradients after the last micro-batch and sends activations with blocking "
    "point-to-point calls",
    "MT-NLG hardware: DGX A100 80GB nodes (the paper and blog say 80 GB; llm-analysis's example "
    "assumed 40 GB) with 8 x HDR 200 Gb/s (Selene); model: ffn 4 x hidden and vocabulary 50272 "
    "from llm-analysis's config (uncertain), GPT-style as Megatron-LM trains it (learned "
    "positions, LayerNorm, embeddings tied and dropout 0.1: Megatron's defaults, the paper is "
    "silent)",
    "published figure: seconds per iteration as published (MT-NLG paper section 2.4; BLOOM's "
    "log line at iteration 85376, GBS 2048, steady state)",
]


def big_row(r):
    s, m, h = r["strategy"], r["model"], r["hardware"]
    row = base_row(r)
    assumed = []
    if r["id"].startswith("bloom"):
        row["framework"] = "Megatron-DeepSpeed"
        # Jean Zay: 8 x A100 80GB per node on NVLink, 4 Omni-Path links per node.
        row["node"] = {"preset": "dgx-a100-80gb", "nics": 4, "nic_gbit_per_s": 100}
        assumed.append("Jean Zay node: 8 x A100 80GB on NVLink (an HGX board with NVSwitch "
                       "assumed) and 4 Omni-Path links of 100 Gb/s (OPA's link rate; the README "
                       "says 4 OPA links per node): the DGX A100 80GB preset with 4 x 100 Gb/s "
                       "NICs")
        assumed.append("pipeline partition 'type:transformer|embedding' spreads 70 blocks and "
                       "2 embedding layers over 12 stages (6 each: the first and last stage 5 "
                       "blocks and an embedding); cirrus gives the 10 extra blocks to the first "
                       "10 stages (6 blocks, the first with the embedding as well) and 5 to the "
                       "last two, so its first stage carries one block more than BLOOM's")
        assumed.append("no dropout (BLOOM's published config: attention and hidden dropout 0.0, "
                       "as we recall it); ALiBi, not rotary; LayerNorm, plus the embedding "
                       "LayerNorm (not priced separately)")
        row["micro_batch"] = s["micro_batch"]
        row["zero"] = 1
        assert s["zero_stage"].startswith("ZeRO-1"), r["id"]
    else:
        row["framework"] = "Megatron-DeepSpeed"
        row["node"] = "dgx-a100-80gb"
        assert s["micro_batch"] is None and s["zero_stage"] is None, r["id"]
    assert r["measured"]["kind"] == "step_time", r["id"]
    bloom = r["id"].startswith("bloom")
    row.update(model_keys(m, "gelu", True, rotary=False, rmsnorm=False, dropout=not bloom))
    row.update(layout_keys(s, h["gpus"]))
    row["step_time_s"] = r["measured"]["value"]
    if assumed:
        row["assumed"] = assumed
    return row


def big_dataset(records, collected):
    return {
        "title": "BLOOM-176B (Jean Zay, 384 A100 80GB) and MT-NLG 530B (Selene, 2240 to 3360 "
                 "A100) end-to-end iteration times",
        "source": "BigScience tr11-176B-ml training README (bigscience-workshop/bigscience "
                  "train/tr11-176B-ml/README.md @ 00327f8c3533); Smith et al., Using DeepSpeed "
                  "and Megatron to Train Megatron-Turing NLG 530B, arXiv:2201.11990 section 2.4",
        "generated_by": GENERATED_BY.format(collected=collected),
        "setup": {"framework": "Megatron-DeepSpeed", "precision": "bf16", "micro_batch": 1,
                  "schedule": "1f1b", "recompute": "full", "attention": "unfused",
                  "kernels": "fused", "sequence_parallel": False, "zero": 0,
                  "overlap": {"dp": False, "tp": False, "pp": False}},
        "assumed": BIG_ASSUMED,
        "rows": [big_row(r) for r in records],
    }


# ------------------------------------------------------------------------------------------
# Two-node NCCL all_reduce curves
# ------------------------------------------------------------------------------------------

NCCL_NODES = {"nccl_aws_p5_2node_allreduce": "aws-p5",
              "nccl_aws_p4de_2node_allreduce": "aws-p4de"}


def nccl_dataset(records, collected):
    curves = []
    for r in records:
        s, h = r["strategy"], r["hardware"]
        node = NCCL_NODES[r["id"]]
        assert s["collective"] == "all_reduce_perf" and s["op"] == "sum", r["id"]
        assert s["ranks"] == h["gpus"] == 16, r["id"]
        stated = "{}; {}; {}; {} ranks, {} {}".format(h["gpu"], h["node"], h["interconnect"],
                                                      s["ranks"], s["dtype"], s["op"])
        if s.get("launcher"):
            stated += "; launcher: " + s["launcher"]
        curves.append({
            "record_id": r["id"],
            "source": source_text(r["source"]),
            "stated": stated,
            "note": note_text(r),
            "node": node, "nodes": 2, "gpus_per_node": 8, "op": "all_reduce",
            "dtype": s["dtype"],
            "points": [{"bytes": p["bytes"], "time_us": p["oop_time_us"],
                        "busbw_gbs": p["oop_busbw"]} for p in r["curve"]],
        })
    return {
        "cirrus_collective_validation": 1,
        "title": "Two-node nccl-tests all_reduce over EFA: AWS p5 (16 H100) and p4de (16 A100)",
        "source": "aws-samples/awsome-distributed-training micro-benchmarks/nccl-tests/README.md "
                  "@ 0162aacd5da0 (\"Results\" examples)",
        "generated_by": GENERATED_BY.format(collected=collected),
        "note": "all_reduce_perf, float32 sum, 16 ranks on 2 nodes; the out-of-place columns. "
                "The p4de curve is the subset of sizes AWS printed (8 B to 2 GB).",
        "assumed": [
            "cluster: the shipped node presets aws-p5 (8 x H100 SXM, 32 x 100 Gb/s EFA v2) and "
            "aws-p4de (8 x A100 80GB, 4 x 100 Gb/s EFA) on cirrus's default network (a "
            "non-blocking fat-tree), 8 ranks per node",
            "measured: nccl-tests' out-of-place time and busbw as AWS printed them (NCCL, "
            "aws-ofi-nccl and EFA versions of the samples not stated)",
            "predicted: what `cirrus collective --node NODE --nodes 2 --op all_reduce` prints "
            "(flow model; NCCL's tuner model picks algorithm and protocol)",
        ],
        "curves": curves,
    }


FAMILIES = [
    ("mosaicml_mpt.json", lambda r: r["id"].startswith("llmfoundry_"), mosaic_dataset),
    ("torchtitan.json", lambda r: r["id"].startswith("torchtitan_"), titan_dataset),
    ("bloom_mtnlg.json", lambda r: r["id"].startswith(("bloom", "mtnlg")), big_dataset),
    ("nccl_2node_efa.json", lambda r: r["id"].startswith("nccl_"), nccl_dataset),
]


def generate(doc):
    records = doc["records"]
    taken = set()
    files = {}
    for name, match, build in FAMILIES:
        mine = [r for r in records if match(r)]
        for r in mine:
            assert r["id"] not in taken, r["id"]
            taken.add(r["id"])
        files[name] = json.dumps(build(mine, doc["collected"]), indent=1,
                                 ensure_ascii=False) + "\n"
    missing = [r["id"] for r in records if r["id"] not in taken]
    if missing:
        raise SystemExit("records not mapped to a dataset: " + ", ".join(missing))
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(DEFAULT_SOURCE),
                    help="training_runs_dev.json (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed files instead of writing them")
    args = ap.parse_args()
    if args.check and not pathlib.Path(args.source).exists():
        # The repository's CI has no ../shared: nothing to compare with.
        print("skipped: {} is not here".format(args.source), file=sys.stderr)
        return 77
    with open(args.source, encoding="utf-8") as f:
        doc = json.load(f)
    files = generate(doc)
    stale = []
    for name, text in files.items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print("wrote {} ({} bytes)".format(path.relative_to(REPO), len(text.encode())))
    if stale:
        print("out of date (run data/validation/dev/generate.py): " + ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
