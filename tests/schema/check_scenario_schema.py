#!/usr/bin/env python3
"""Keeps docs/scenario.schema.json honest against the scenario loader, both ways.

usage: check_scenario_schema.py CIRRUS_BINARY SOURCE_DIR

(a) every shipped scenario (scenarios/examples/*.json, scenarios/regression/*.json) validates;
(b) every broken scenario of BROKEN (edits of a shipped example, after the loader's unit tests,
    tests/unit/scenarios/) is refused by the loader (`cirrus simulate` exits 3 naming the JSON
    path) and by the schema, and every edit of VALID (which the loader takes) passes the schema;
(c) every key of the loader's check_keys({...}) lists (scenarios/loader.cpp,
    scenarios/systems_blocks.cpp) is a property somewhere in the schema, so a new loader key
    without a schema entry fails here;
(d) the schema's preset enums are exactly the ids `cirrus presets --format json` lists.

Needs Python's jsonschema (Debian: python3-jsonschema; scripts/setup.sh installs it). Without it
the test skips (exit 77) locally and fails under CI (CI=true).
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
BASE = "scenarios/examples/llama3-70b-h100.json"
LOADER_FILES = ["scenarios/loader.cpp", "scenarios/systems_blocks.cpp",
                "scenarios/finetune_reader.cpp", "scenarios/serving_block.cpp"]

# (JSON pointer, value; None deletes the key, "$..." values are JSON text). The loader path each
# is refused at follows the pointer (checked in the loader's message).
BROKEN = [
    # unknown keys, at every level (loader_test.cpp: did-you-mean cases)
    ("/clustr", {}),
    # training.finetune (finetune_cli_test.cpp)
    ("/training/finetune", "qlora-r46"),
    ("/training/finetune", {"method": "lora", "rank": 16}),
    ("/training/finetune", {"method": "qlora", "targets": "attention", "base_bits": 16}),
    ("/training/finetune", {"method": "lora", "targets": ["q", "x"]}),
    ("/strategy/tpp", 8),
    ("/model/kv_head", 8),
    ("/cluster/network/oversubscribtion", 2),
    ("/strategy/overlap/db", True),
    ("/model/moe", {"experts": 8, "top_k": 2, "expert": 1}),
    ("/cluster/node", {"preset": "dgx-h100", "nic_gbps": 400}),
    ("/strategy/offload", {"params": "host", "optimizer": "host", "prefetch": 1}),
    ("/elastic", {"spot": {"replacement_hours": 1, "rate": 1}}),
    ("/inference", {"batch": 1, "prompt": 8}),
    ("/serving", {"arrivals": {"kind": "poisson", "rate_per_s": 1, "requests": 1}, "replica": 2}),
    ("/pricing/currency", "usd"),
    ("/objective/max_cost", 10),
    # a Megatron-LM name beside the field it stands for
    ("/strategy/tensor_model_parallel_size", 8),
    ("/training/bf16", True),
    ("/strategy/overlap_grad_reduce", False),
    # wrong types
    ("/cirrus", "1"),
    ("/model/hidden", "12288"),
    ("/strategy/tp", "eight"),
    ("/training/global_batch", 1.5),
    ("/strategy/sequence_parallel", 1),
    ("/cluster/network", []),
    ("/expect", [1, 2]),
    ("/training/norm_kernels", 1),
    ("/model/rotary", "yes"),
    ("/pricing/region", 1),
    # unknown enum values and presets
    ("/cirrus", 2),
    ("/training/precision", "bf61"),
    ("/training/precision", "tf32"),
    ("/strategy/schedule", "1F1B"),
    ("/cluster/network/topology", "fat_tree"),
    ("/cluster/network/algorithm", "direct"),
    ("/cluster/network/routing", "ecmp"),
    ("/strategy/attention", "flash4"),
    ("/strategy/recompute", "op"),
    ("/training/kernels", "compiled"),
    ("/pricing/model", "ondemand"),
    ("/objective/minimize", "money"),
    ("/model/preset", "llama3-70"),
    ("/model/preset", "meta-llama/Llama-3.1-8B"),
    ("/cluster/node", "dgx-h10"),
    ("/cluster/instance", "p5.48xlarge"),
    # out-of-range numbers (loader_limits_test.cpp)
    ("/model/layers", 0),
    ("/model/layers", 16385),
    ("/model/hidden", -4096),
    ("/model/seq_len", 16777217),
    ("/training/global_batch", 0),
    ("/training/global_batch", 16777217),
    ("/training/tokens", 0),
    ("/training/tokens", "$1e17"),
    ("/cluster/nodes", -2),
    ("/cluster/nodes", 65537),
    ("/strategy/micro_batch", 0),
    ("/strategy/pp", [1, -2]),
    ("/strategy/tp", []),
    ("/strategy/tp", [2, 2]),
    ("/strategy/zero", 4),
    ("/cluster/network/oversubscription", 0.5),
    ("/cluster/network/oversubscription", 1001),
    ("/cluster/network/switch_radix", 7),
    ("/cluster/network/switch_radix", 2),
    ("/pricing/committed_reuse", 1.5),
    ("/pricing/usd_per_hour", 0),
    ("/pricing/usd_per_hour", "31.5"),
    ("/pricing/usd_per_hour", {"aws:p5.48xlarge": -1}),
    ("/objective/max_usd", 0),
    ("/name", ""),
    ("/name", "x" * 257),
    ("/name", "bad\u001b[31mname"),
    ("/model/moe", {"experts": 8, "top_k": 2, "capacity_factor": 0}),
    ("/model/moe", {"experts": 8, "top_k": 2, "popularity": {"zipf": 0}}),
    ("/model/moe", {"experts": 8, "top_k": 2, "popularity": "zipf"}),
    ("/cluster/node", {"preset": "dgx-h100", "gpus": 1025}),
    ("/cluster/node", {"preset": "dgx-h100", "scale_up_gbyte_per_s": 1e6}),
    ("/cluster/node", {"preset": "dgx-h100", "nic_latency_us": 1e6}),
    ("/cluster/node", {"preset": "dgx-h100", "nics": -1}),
    ("/elastic", {"spot": {"replacement_hours": 1, "interruptions_per_node_hour": 11}}),
    ("/elastic", {"schedule": [{"at_hours": 0, "nodes": 0}]}),
    ("/elastic", {"schedule": []}),
    ("/inference", {"batch": []}),
    ("/inference", {"prompt_tokens": 0}),
    # what the loader requires
    ("/cirrus", None),
    ("/model", None),
    ("/training/global_batch", None),
    ("/cluster/nodes", None),
    ("/model", {"layers": 2, "hidden": 64, "heads": 4, "vocab": 100}),
    ("/model/hf_config", "hf/llama-3.1-8b-config.json"),
    ("/training/fp8_all_gather", True),
    ("/cluster/node", {"gpu": "h100-sxm", "gpus": 8}),
    ("/cluster/node", {"gpu": "h100-sxm", "gpus": 8, "scale_up": "nvswitch",
                       "scale_up_gbyte_per_s": 450, "nics": 8}),
    ("/elastic", {"spot": {}}),
    ("/elastic", {"schedule": [{"at_hours": 0, "nodes": 1}],
                  "spot": {"replacement_hours": 1}}),
]

# Edits the loader accepts (open choices, inline nodes, a config.json, the systems blocks): the
# schema must accept them too, so that it is not stricter than cirrus.
VALID = [
    ("/training/finetune", {"method": "qlora", "rank": 64, "alpha": 16, "targets": "all-linear"}),
    ("/training/finetune", "lora-r16-qv"),
    ("/strategy/tp", "auto"),
    ("/strategy/pp", [1, 2, 4]),
    ("/strategy/zero", [0, 3]),
    ("/strategy/schedule", ["1f1b", "interleaved"]),
    ("/strategy/sequence_parallel", [True, False]),
    ("/strategy/offload", {"params": "auto", "optimizer": ["host", "nvme"], "prefetch_layers": 2}),
    ("/cluster/instance", ["aws:p5.48xlarge", "gcp:a3-highgpu-8g"]),
    ("/cluster/instance", "auto"),
    ("/pricing", {"model": "capacity-block", "usd_per_hour": 31.5}),
    ("/pricing", {"model": "flex-start", "usd_per_hour": {"gcp:a3-highgpu-8g": 40}}),
    ("/cluster/nodes", [8, 16]),
    ("/cluster/node", {"gpu": "h100-sxm", "gpus": 8, "scale_up": "nvswitch",
                       "scale_up_gbyte_per_s": 450, "nics": 0}),
    ("/cluster/node", {"preset": "dgx-h100", "nics": 4, "nic_gbit_per_s": 800}),
    ("/model", {"hf_config": "hf/llama-3.1-8b-config.json", "seq_len": 8192}),
    ("/model", {"layers": 2, "hidden": 64, "heads": 4, "vocab": 100, "seq_len": 128,
                "moe": {"experts": 4, "top_k": 1, "popularity": {"zipf": 1.1}}}),
    ("/training/global_batch", 1024.0),
    ("/elastic", {"spot": {"replacement_hours": 0.5, "seed": 7}}),
    ("/inference", {"batch": [1, 8], "prompt_tokens": 512}),
    ("/expect", {"best": {"tp": 8}, "step_time_s": [1, 2]}),
    # Megatron-LM names (scenarios/megatron_aliases.cpp)
    ("/strategy", {"tensor_model_parallel_size": 8, "pipeline_model_parallel_size": 4,
                   "micro_batch_size": 1, "use_distributed_optimizer": True,
                   "recompute_granularity": "selective", "overlap_grad_reduce": True,
                   "num_layers_per_virtual_pipeline_stage": 10}),
    ("/training", {"global_batch_size": 1024, "bf16": True, "fp8_format": None,
                   "train_iters": 100}),
    ("/model", {"num_layers": 2, "hidden_size": 64, "num_attention_heads": 4,
                "vocab_size": 100, "seq_length": 128, "swiglu": True, "num_experts": 4}),
]


def set_pointer(doc, pointer, value):
    parts = pointer.strip("/").split("/")
    node = doc
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    if value is None:
        node.pop(parts[-1], None)
    elif isinstance(value, str) and value.startswith("$"):
        node[parts[-1]] = json.loads(value[1:])
    else:
        node[parts[-1]] = value


def schema_properties(node, out):
    """Every key named under a `properties` anywhere in the schema."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "properties" and isinstance(v, dict):
                out.update(v.keys())
            schema_properties(v, out)
    elif isinstance(node, list):
        for v in node:
            schema_properties(v, out)
    return out


def loader_keys(source):
    keys = set()
    for rel in LOADER_FILES:
        text = open(os.path.join(source, rel), encoding="utf-8").read()
        for group in re.findall(r"check_keys\(\{(.*?)\}\)", text, re.S):
            keys.update(re.findall(r'"([^"]+)"', group))
    return keys


def enum_of(schema, *path):
    node = schema
    for p in path:
        node = node[p]
    return node["enum"]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    cirrus, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    try:
        import jsonschema
    except ImportError:
        msg = "Python's jsonschema is not installed (scripts/setup.sh installs python3-jsonschema)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            print("FAIL: " + msg)
            return 1
        print("SKIP: " + msg)
        return SKIP
    schema = json.load(open(os.path.join(source, "docs/scenario.schema.json"), encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failures = []

    # (a) the shipped scenarios validate.
    shipped = sorted(glob.glob(os.path.join(source, "scenarios/examples/*.json")) +
                     glob.glob(os.path.join(source, "scenarios/regression/*.json")))
    if not shipped:
        failures.append("no shipped scenarios found")
    for path in shipped:
        for e in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
            failures.append(f"(a) {os.path.relpath(path, source)}: {e.json_path}: {e.message}")

    # (b) broken scenarios: refused by the loader and by the schema.
    base = json.load(open(os.path.join(source, BASE), encoding="utf-8"))
    work = tempfile.mkdtemp(prefix="cirrus-schema-")
    for i, (pointer, value) in enumerate(BROKEN):
        doc = copy.deepcopy(base)
        set_pointer(doc, pointer, value)
        what = f"{pointer} = {json.dumps(value)[:60]}"
        # Beside the examples, so a relative hf_config resolves as it would there.
        path = os.path.join(work, f"broken-{i}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        run = subprocess.run([cirrus, "simulate", path], capture_output=True, text=True,
                             timeout=60, cwd=work)
        # "cirrus: FILE: PATH...: expected ...": the loader's refusal, at (or under) the edit.
        dotted = pointer.strip("/").replace("/", ".")
        if run.returncode != 3 or f"{path}: {dotted}" not in run.stderr:
            failures.append(f"(b) {what}: the loader did not refuse it there (exit "
                            f"{run.returncode}: {run.stderr.strip()[:200]})")
        if validator.is_valid(doc):
            failures.append(f"(b) {what}: the loader refuses it, the schema accepts it")

    for pointer, value in VALID:
        doc = copy.deepcopy(base)
        set_pointer(doc, pointer, value)
        for e in validator.iter_errors(doc):
            failures.append(f"(b) {pointer} = {json.dumps(value)[:60]}: the loader takes it, "
                            f"the schema refuses it at {e.json_path}: {e.message[:120]}")

    # (c) every key the loader accepts is in the schema.
    props = schema_properties(schema, set())
    for key in sorted(loader_keys(source) - props):
        failures.append(f"(c) loader key '{key}' has no schema property")

    # (d) preset enums are the shipped presets.
    listed = json.loads(subprocess.run([cirrus, "presets", "--format", "json"], check=True,
                                       capture_output=True, text=True).stdout)
    defs = schema["$defs"]
    for name, got in [("models", enum_of(defs, "model", "properties", "preset")),
                      ("nodes", enum_of(defs, "node_preset")),
                      ("gpus", enum_of(defs, "inline_node", "properties", "gpu"))]:
        want = [p["id"] for p in listed[name]]
        if got != want:
            failures.append(f"(d) the schema's {name} enum {got} is not `cirrus presets` {want}")

    for f in failures:
        print("FAIL: " + f)
    print(f"{len(shipped)} shipped scenarios, {len(BROKEN)} broken and {len(VALID)} valid edits, "
          f"{len(loader_keys(source))} loader keys: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
