#!/usr/bin/env python3
"""Make data/validation/nccl_1node_nvlink.json from the measured curve in data/reference/nccl_busbw.json.

The reference file holds one nccl-tests all_reduce curve on one Azure ND A100 v4 node (8 ranks over
NVLink3/NVSwitch) and maintainers' statements of peak busbw. `cirrus validate` reads collective
datasets in its own format (scenarios/collective_validation_set.hpp); this turns the curve into
one, unchanged but for the time column, which the source did not print: it is derived from the
busbw by nccl-tests' own definitions (busbw = algbw x 2(n-1)/n, algbw = bytes / time).

--check compares with the committed file instead of writing it (a ctest).
"""
import argparse
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
SOURCE = REPO / "data" / "reference" / "nccl_busbw.json"
OUT = REPO / "data" / "validation" / "nccl_1node_nvlink.json"


def build(ref):
    curves = []
    for c in ref["curves"]:
        assert c["collective"] == "all_reduce" and c["ranks"] == 8, c["system"]
        assert "ND A100 v4" in c["system"] and "80GB" in c["system"], c["system"]
        n = c["ranks"]
        points = []
        for p in c["points"]:
            algbw = p["busbw_gbs"] * n / (2 * (n - 1))  # GB/s, 1 GB = 1e9 bytes
            points.append({"bytes": p["bytes"],
                           "time_us": round(p["bytes"] / (algbw * 1e9) * 1e6, 3),
                           "busbw_gbs": p["busbw_gbs"]})
        curves.append({
            "record_id": "azure_nd_a100_v4_1node_allreduce",
            "source": c["source"],
            "stated": "{}; {} ranks; NCCL {}".format(c["system"], n, c["nccl"]),
            "note": "time_us derived from the printed busbw (nccl-tests' definitions); "
                    "the source printed busbw only",
            "node": "azure-nd-a100-80gb-v4", "nodes": 1, "gpus_per_node": n,
            "op": "all_reduce", "dtype": "not stated",
            "points": points,
        })
    return {
        "cirrus_collective_validation": 1,
        "title": "One-node nccl-tests all_reduce over NVLink3/NVSwitch: Azure ND A100 v4 (8 A100 80GB)",
        "source": ref["source"],
        "generated_by": "data/validation/dev/nvlink_dataset.py from data/reference/nccl_busbw.json",
        "note": "all_reduce_perf on one node, 8 ranks; sizes 1 KB to 8 GB as the source printed them",
        "assumed": [
            "node: the shipped preset azure-nd-a100-80gb-v4 (8 x A100 80GB SXM, NVLink3/NVSwitch)",
            "measured time: derived from the printed busbw, time = bytes / (busbw x n / (2(n-1)))",
            "predicted: what `cirrus collective --node azure-nd-a100-80gb-v4 --nodes 1 --op "
            "all_reduce` prints (NCCL's tuner model picks algorithm and protocol)",
        ],
        "curves": curves,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file")
    args = ap.parse_args()
    with open(SOURCE, encoding="utf-8") as f:
        text = json.dumps(build(json.load(f)), indent=1, ensure_ascii=False) + "\n"
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("out of date (run data/validation/dev/nvlink_dataset.py): " + OUT.name,
                  file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print("wrote {} ({} bytes)".format(OUT.relative_to(REPO), len(text.encode())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
