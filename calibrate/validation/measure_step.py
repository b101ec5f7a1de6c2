#!/usr/bin/env python3
"""Times real single-GPU training steps of GPT- and Llama-style models in plain PyTorch and
writes them as a cirrus validation dataset (scenarios/measured_steps.hpp reads it).

    python3 calibrate/validation/measure_step.py [--out-dir data/validation] [--steps 10]

Models are built from scratch (no downloads): a GPT-style 1.3B (24 layers, hidden 2048, 16
heads, GeLU FFN 8192, learned positions, tied embeddings, vocabulary 50257, 2048 tokens) and a
Llama-3-8B-shaped model cut to 4 layers (hidden 4096, 32 heads, 8 KV heads, SwiGLU FFN 14336,
RoPE, RMSNorm, vocabulary 128256, 8192 tokens; 4096 if that does not fit). Training is what a
plain PyTorch loop does: fp32 parameters, bf16 autocast, fused scaled-dot-product attention
(torch.nn.functional.scaled_dot_product_attention restricted to its fused backends),
cross-entropy in fp32, fused AdamW; eager mode, no activation recomputation. Each step is
forward + backward + optimizer step; after warm-up, steps are timed one by one between
torch.cuda.synchronize() calls and the median is kept. The largest micro-batch that fits is
used (tried from the largest down); global batch = micro-batch (one GPU, no accumulation).
"""
import argparse
import datetime
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = [
    {"id": "gpt-1.3b", "layers": 24, "hidden": 2048, "heads": 16, "kv_heads": 16,
     "ffn_hidden": 8192, "ffn": "gelu", "vocab": 50257, "seq_len": 2048,
     "tied_embeddings": True, "micro_batches": [8, 4, 2, 1]},
    {"id": "llama-8b-shape-4l", "layers": 4, "hidden": 4096, "heads": 32, "kv_heads": 8,
     "ffn_hidden": 14336, "ffn": "swiglu", "vocab": 128256, "seq_len": 8192,
     "tied_embeddings": False, "micro_batches": [1], "fallback_seq_len": 4096},
]


def gpu_preset(name):
    """The cirrus GPU preset for a CUDA device name (models/compute/profile.cpp has the same rules)."""
    n = name.lower()
    if "h200" in n:
        return "" if "nvl" in n else "h200-sxm"
    if "h100" in n:
        return "h100-pcie" if "pcie" in n else ("" if "nvl" in n else "h100-sxm")
    if "a100" in n:
        if "pcie" in n:
            return "a100-pcie-80gb" if "80gb" in n else ""
        return "a100-sxm-40gb" if "40gb" in n else "a100-sxm-80gb"
    if "l40s" in n:
        return "l40s"
    if "l40" in n:
        return ""
    if "l4" in n:
        return "l4"
    if "a10g" in n:
        return "a10g"
    return ""


NODE_FOR_GPU = {"h100-sxm": "dgx-h100", "h200-sxm": "dgx-h200",
                "a100-sxm-80gb": "dgx-a100-80gb", "a100-sxm-40gb": "dgx-a100-40gb",
                "l4": "l4-x8", "l40s": "l40s-x8", "a10g": "a10g-x8"}


def attention(q, k, v, kv_repeat):
    """Fused causal attention on [batch, heads, seq, head_dim]; never the math fallback."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    fused = [SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION,
             SDPBackend.EFFICIENT_ATTENTION]
    with sdpa_kernel(fused):
        if kv_repeat > 1:
            try:
                return F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            except (RuntimeError, TypeError):
                k = k.repeat_interleave(kv_repeat, dim=1)
                v = v.repeat_interleave(kv_repeat, dim=1)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def rope(x, cos, sin):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, heads, kv = c["hidden"], c["heads"], c["kv_heads"]
        self.c = c
        self.head_dim = h // heads
        llama = c["ffn"] == "swiglu"
        bias = not llama  # GPT-2/Megatron linears carry biases; Llama's do not
        self.norm1 = nn.RMSNorm(h) if llama else nn.LayerNorm(h)
        self.norm2 = nn.RMSNorm(h) if llama else nn.LayerNorm(h)
        self.qkv = nn.Linear(h, (heads + 2 * kv) * self.head_dim, bias=bias)
        self.proj = nn.Linear(h, h, bias=bias)
        if llama:
            self.gate_up = nn.Linear(h, 2 * c["ffn_hidden"], bias=False)
        else:
            self.fc1 = nn.Linear(h, c["ffn_hidden"], bias=True)
        self.fc2 = nn.Linear(c["ffn_hidden"], h, bias=bias)

    def forward(self, x, cos, sin):
        c = self.c
        b, s, h = x.shape
        heads, kv, d = c["heads"], c["kv_heads"], self.head_dim
        qkv = self.qkv(self.norm1(x))
        q, k, v = qkv.split([heads * d, kv * d, kv * d], dim=-1)
        q = q.view(b, s, heads, d).transpose(1, 2)
        k = k.view(b, s, kv, d).transpose(1, 2)
        v = v.view(b, s, kv, d).transpose(1, 2)
        if cos is not None:
            q, k = rope(q, cos, sin), rope(k, cos, sin)
        a = attention(q, k, v, heads // kv).transpose(1, 2).reshape(b, s, h)
        x = x + self.proj(a)
        y = self.norm2(x)
        if c["ffn"] == "swiglu":
            gate, up = self.gate_up(y).chunk(2, dim=-1)
            y = F.silu(gate) * up
        else:
            y = F.gelu(self.fc1(y), approximate="tanh")
        return x + self.fc2(y)


class Model(nn.Module):
    def __init__(self, c, seq_len):
        super().__init__()
        self.c = c
        h = c["hidden"]
        llama = c["ffn"] == "swiglu"
        self.embed = nn.Embedding(c["vocab"], h)
        self.pos = None if llama else nn.Embedding(seq_len, h)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = nn.RMSNorm(h) if llama else nn.LayerNorm(h)
        self.head = nn.Linear(h, c["vocab"], bias=False)
        if c["tied_embeddings"]:
            self.head.weight = self.embed.weight
        if llama:
            d = h // c["heads"]
            inv = 1.0 / (500000.0 ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
            t = torch.arange(seq_len, dtype=torch.float32)
            freqs = torch.outer(t, inv)
            emb = torch.cat((freqs, freqs), dim=-1)
            self.register_buffer("cos", emb.cos()[None, None], persistent=False)
            self.register_buffer("sin", emb.sin()[None, None], persistent=False)
        else:
            self.cos = self.sin = None

    def forward(self, tokens):
        x = self.embed(tokens)
        if self.pos is not None:
            x = x + self.pos(torch.arange(tokens.shape[1], device=tokens.device))
        for blk in self.blocks:
            x = blk(x, self.cos, self.sin)
        return self.head(self.norm(x))


def measure(c, seq_len, micro_batch, warmup, steps):
    torch.manual_seed(0)
    model = Model(c, seq_len).cuda()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1, fused=True)
    tokens = torch.randint(0, c["vocab"], (micro_batch, seq_len + 1), device="cuda")
    inputs, targets = tokens[:, :-1], tokens[:, 1:]

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(inputs)
        loss = F.cross_entropy(logits.float().view(-1, c["vocab"]), targets.reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    torch.cuda.reset_peak_memory_stats()
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    samples = []
    for _ in range(steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = step()
        torch.cuda.synchronize()
        samples.append(time.perf_counter() - t0)
    if not math.isfinite(loss.item()):
        raise RuntimeError(f"{c['id']}: loss is not finite")
    peak = torch.cuda.max_memory_allocated() / 2**30
    del model, opt
    return samples, params, peak


def run_model(c, warmup, steps):
    seqs = [c["seq_len"]] + ([c["fallback_seq_len"]] if "fallback_seq_len" in c else [])
    for seq_len in seqs:
        for mb in c["micro_batches"]:
            try:
                samples, params, peak = measure(c, seq_len, mb, warmup, steps)
                return seq_len, mb, samples, params, peak
            except torch.cuda.OutOfMemoryError:
                print(f"{c['id']}: seq {seq_len} micro-batch {mb} does not fit, trying smaller",
                      flush=True)
            # Outside the except block, so the failed attempt's tensors can be freed.
            gc.collect()
            torch.cuda.empty_cache()
    raise RuntimeError(f"{c['id']}: no micro-batch fits")


def driver_version():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
        return out.splitlines()[0] if out else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", default="data/validation")
    ap.add_argument("--steps", type=int, default=10, help="timed steps per model")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--models", default=",".join(m["id"] for m in MODELS))
    args = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("measure_step.py: no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False  # bf16 autocast decides the GEMM types
    name = torch.cuda.get_device_name(0)
    gpu = gpu_preset(name)
    if not gpu:
        sys.exit(f"measure_step.py: '{name}' matches no cirrus GPU preset")
    rows = []
    for c in MODELS:
        if c["id"] not in args.models.split(","):
            continue
        seq_len, mb, samples, params, peak = run_model(c, args.warmup, args.steps)
        med = statistics.median(samples)
        print(f"{c['id']}: seq {seq_len}, micro-batch {mb}: median {med:.4f} s over "
              f"{len(samples)} steps ({min(samples):.4f}-{max(samples):.4f}), "
              f"{params / 1e9:.2f}B parameters, peak {peak:.1f} GiB", flush=True)
        model = {k: c[k] for k in ("layers", "hidden", "heads", "kv_heads", "ffn_hidden", "ffn",
                                   "vocab", "tied_embeddings")}
        model["seq_len"] = seq_len
        rows.append({"id": c["id"], "model": model, "precision": "bf16", "attention": "flash",
                     "recompute": "none", "optimizer": "adam", "micro_batch": mb,
                     "global_batch": mb, "step_s": round(med, 6),
                     "step_s_samples": [round(s, 6) for s in samples],
                     "warmup_steps": args.warmup, "timed_steps": len(samples),
                     "parameters": params, "peak_memory_gib": round(peak, 2)})
    dataset = {
        "cirrus_measured_steps": 1,
        "title": f"Single-GPU PyTorch training steps on {name}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "device": {"name": name, "gpu": gpu, "node": NODE_FOR_GPU.get(gpu, ""),
                   "driver": driver_version(), "cuda": torch.version.cuda or "",
                   "torch": torch.__version__, "cudnn": str(torch.backends.cudnn.version())},
        "method": ("calibrate/validation/measure_step.py: models built from scratch in plain "
                   "PyTorch, eager; fp32 parameters with bf16 autocast; "
                   "scaled_dot_product_attention limited to the cuDNN/flash/efficient fused "
                   "backends; fp32 cross-entropy; fused AdamW; no recomputation; "
                   f"{args.warmup} warm-up steps, then steps timed one by one between "
                   "torch.cuda.synchronize() calls, median kept"),
        "rows": rows,
    }
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, f"measured_steps_{gpu}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(dataset, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)  # atomic, like cirrus's own writes
    print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
