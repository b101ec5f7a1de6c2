#!/usr/bin/env python3
"""Writes the nccl-tests log fixtures of this folder (run from anywhere; deterministic).

The logs follow nccl-tests' own printf formats (src/common.cu: the "# nThread" header, the
"#  Rank" lines, the two-line column header, rows of "%12li  %12li  %8s  %6s  %6i" then
"  %7s  %6.2f  %6.2f  %5s" per place, the "# Out of bounds values" and "# Avg bus bandwidth"
lines). Times come from published curves so the shapes are real: the 8x A100 all-reduce
follows Azure ND A100 v4 (data/reference/nccl_busbw.json, interpolated in log size); the
2-node H100 all-gather follows a ring at 370 GB/s NVLink busbw inside a node and 46 GB/s per
NDR NIC between nodes (nccl-tests issues #212 and #290) with a 20 us latency.
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))

AZURE_A100_ALLREDUCE = [  # (bytes, busbw GB/s), Azure ND A100 v4, nccl-tests
    (1024, 0.04), (262144, 10.11), (1048576, 36.22), (2097152, 53.54), (8388608, 89.99),
    (16777216, 109.22), (33554432, 132.77), (67108864, 166.63), (268435456, 213.87),
    (536870912, 221.58), (1073741824, 228.1), (4294967296, 230.48), (8589934592, 231.58)]


def interp_busbw(curve, size):
    xs = [math.log2(b) for b, _ in curve]
    x = math.log2(size)
    if x <= xs[0]:
        return curve[0][1] * size / curve[0][0]  # latency-bound: busbw grows with size
    for i in range(1, len(xs)):
        if x <= xs[i]:
            t = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
            return curve[i - 1][1] + t * (curve[i][1] - curve[i - 1][1])
    return curve[-1][1]


def bus_factor(op, n):
    return {"all_reduce": 2 * (n - 1) / n, "all_gather": (n - 1) / n,
            "reduce_scatter": (n - 1) / n, "alltoall": (n - 1) / n,
            "broadcast": 1.0, "sendrecv": 1.0}[op]


def fmt_time(us):
    # nccl-tests: "%7.0f" from 10 ms, "%7.1f" from 100 us, "%7.2f" below.
    if us >= 1e4:
        return "%7.0f" % us
    return "%7.1f" % us if us >= 100 else "%7.2f" % us


def row(size, count, dtype, redop, root, t_oop, t_ip, factor, wrong=(0, 0)):
    def place(t, w):
        algbw = size / 1e9 / (t / 1e6)
        return "%7s  %6.2f  %6.2f  %5s" % (fmt_time(t), algbw, algbw * factor, str(w))
    return "%12i  %12i  %8s  %6s  %6i  %s  %s" % (
        size, count, dtype, redop, root, place(t_oop, wrong[0]), place(t_ip, wrong[1]))


HEADER_COLS = ("#       size         count      type   redop    root     time   algbw   busbw "
               "#wrong     time   algbw   busbw #wrong")
HEADER_UNITS = ("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)  "
                "          (us)  (GB/s)  (GB/s)       ")
PLACES = ("#                                                              out-of-place       "
          "                in-place          ")


def rank_lines(hosts, per_host, device, busids, pid0, one_process_per_gpu):
    out = []
    r = 0
    for h, host in enumerate(hosts):
        for d in range(per_host):
            pid = pid0 + 1000 * h + (d if one_process_per_gpu else 0)
            out.append("#  Rank %2d Group  0 Pid %6d on %10s device %2d [%s] %s"
                       % (r, pid, host, d, busids[d], device))
            r += 1
    return out


def sizes(lo, hi, step=2):
    s = lo
    while s <= hi:
        yield s
        s *= step


def all_reduce_8xa100():
    n = 8
    lines = ["# nThread 1 nGpus 8 minBytes 8 maxBytes 8589934592 step: 2(factor) warmup iters: 5 "
             "iters: 20 agg iters: 1 validation: 1 graph: 0", "#", "# Using devices"]
    lines += rank_lines(["dgx-a100-01"], 8, "NVIDIA A100-SXM4-80GB",
                        ["0x07", "0x0f", "0x47", "0x4e", "0x87", "0x90", "0xb7", "0xbd"], 48211,
                        False)
    lines += ["#", PLACES, HEADER_COLS, HEADER_UNITS]
    total = 0.0
    count = 0
    for s in sizes(8, 8589934592):
        busbw = max(interp_busbw(AZURE_A100_ALLREDUCE, s), 1e-6)
        t = max(s * bus_factor("all_reduce", n) / (busbw * 1e3), 0.0)
        t = max(t, 24.0 + 0.37 * math.log2(s))  # NCCL's floor: ~25-35 us on 8x A100
        t_ip = t * 0.985
        lines.append(row(s, s // 4, "float", "sum", -1, t, t_ip, bus_factor("all_reduce", n)))
        for tt in (t, t_ip):
            total += s / 1e9 / (tt / 1e6) * bus_factor("all_reduce", n)
            count += 1
    lines += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : %g " % (total / count), "#",
              ""]
    return "\n".join(lines)


def all_gather_2node_h100():
    n = 16
    lines = ["# nccl-tests version 2.13.9 nccl-headers=21903 nccl-library=21903",
             "# Collective test starting: all_gather_perf",
             "# nThread 1 nGpus 1 minBytes 1024 maxBytes 4294967296 step: 4(factor) warmup iters: "
             "5 iters: 20 agg iters: 1 validation: 1 graph: 0", "#", "# Using devices"]
    lines += rank_lines(["h100-node-a", "h100-node-b"], 8, "NVIDIA H100 80GB HBM3",
                        ["0000:18:00", "0000:2a:00", "0000:3a:00", "0000:5d:00", "0000:9a:00",
                         "0000:ab:00", "0000:ba:00", "0000:db:00"], 30117, True)
    lines.insert(2, "h100-node-a:30117:30117 [0] NCCL INFO NCCL version 2.19.3+cuda12.2")
    lines += ["#", PLACES, HEADER_COLS, HEADER_UNITS]
    total = 0.0
    count = 0
    factor = bus_factor("all_gather", n)
    for s in sizes(1024, 4294967296, 4):
        # Ring over 16 ranks crossing the network twice: the NIC (46 GB/s) bounds busbw.
        t = 20.0 + 15 * 1.1 + s * factor / (46.0 * 1e3)
        t_ip = t * 0.99
        lines.append(row(s, s // 4 // n, "float", "none", -1, t, t_ip, factor))
        for tt in (t, t_ip):
            total += s / 1e9 / (tt / 1e6) * factor
            count += 1
    lines += ["# Out of bounds values : 0 OK", "# Avg bus bandwidth    : %g " % (total / count), "#",
              "# Collective test concluded: all_gather_perf", ""]
    return "\n".join(lines)


def reduce_scatter_with_wrong():
    n = 4
    lines = ["# nThread 1 nGpus 4 minBytes 1048576 maxBytes 268435456 step: 2(factor) warmup iters: "
             "5 iters: 20 agg iters: 1 validation: 1 graph: 0", "#", "# Using devices"]
    lines += rank_lines(["gpu-box"], 4, "NVIDIA A100-SXM4-40GB", ["0x07", "0x0f", "0x47", "0x4e"],
                        7001, False)
    lines += ["#", PLACES, HEADER_COLS, HEADER_UNITS]
    factor = bus_factor("reduce_scatter", n)
    for s in sizes(1048576, 268435456):
        t = 15.0 + s * factor / (180.0 * 1e3)
        wrong = (0, 0)
        if s == 16777216:
            wrong = (1024, 0)  # out-of-place corrupted
        if s == 67108864:
            wrong = (0, 7)     # in-place corrupted
        lines.append(row(s, s // 4 // n, "float", "sum", -1, t, t * 0.99, factor, wrong))
    lines += ["# Out of bounds values : 1031 FAILED", "# Avg bus bandwidth    : 141.2 ", "#", ""]
    return "\n".join(lines)


def all_reduce_failure():
    n = 8
    lines = ["# nThread 1 nGpus 8 minBytes 8 maxBytes 134217728 step: 2(factor) warmup iters: 5 "
             "iters: 20 agg iters: 1 validation: 1 graph: 0", "#", "# Using devices"]
    lines += rank_lines(["dgx-a100-02"], 8, "NVIDIA A100-SXM4-80GB",
                        ["0x07", "0x0f", "0x47", "0x4e", "0x87", "0x90", "0xb7", "0xbd"], 9120,
                        False)
    lines += ["#", PLACES, HEADER_COLS, HEADER_UNITS]
    factor = bus_factor("all_reduce", n)
    for s in sizes(8, 65536):
        t = 26.0 + 0.3 * math.log2(s)
        lines.append(row(s, s // 4, "float", "sum", -1, t, t, factor))
    lines += ["dgx-a100-02: Test NCCL failure common.cu:1005 'unhandled system error (run with "
              "NCCL_DEBUG=INFO for details) / '",
              " .. dgx-a100-02 pid 9120: Test failure common.cu:891", ""]
    return "\n".join(lines)


def alltoall_truncated():
    n = 8
    lines = ["# nThread 1 nGpus 8 minBytes 1048576 maxBytes 1073741824 step: 2(factor) warmup "
             "iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0", "#", "# Using devices"]
    lines += rank_lines(["hgx-h100"], 8, "NVIDIA H100 80GB HBM3",
                        ["0x18", "0x2a", "0x3a", "0x5d", "0x9a", "0xab", "0xba", "0xdb"], 5522,
                        False)
    lines += ["#", PLACES, HEADER_COLS, HEADER_UNITS]
    factor = bus_factor("alltoall", n)
    for s in sizes(1048576, 33554432):
        t = 30.0 + s * factor / (330.0 * 1e3)
        lines.append(row(s, s // 4 // n, "float", "none", -1, t, t, factor))
    last = row(67108864, 67108864 // 32, "float", "none", -1, 220.0, 220.0, factor)
    lines.append(last[:62])  # the job was killed mid-line
    return "\n".join(lines)


def main():
    files = {
        "all_reduce_perf_8xa100.log": all_reduce_8xa100(),
        "all_gather_perf_2x8xh100.log": all_gather_2node_h100(),
        "reduce_scatter_perf_wrong.log": reduce_scatter_with_wrong(),
        "all_reduce_perf_failure.log": all_reduce_failure(),
        "alltoall_perf_truncated.log": alltoall_truncated(),
    }
    for name, text in files.items():
        with open(os.path.join(HERE, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
