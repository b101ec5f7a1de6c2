#!/usr/bin/env python3
"""Renders cirrus reports in a real browser (headless Debian chromium) and fails on a blank or
broken page, a missing chart, horizontal overflow at 1280 px, or a console error.

usage: render_report.py CIRRUS_BINARY SOURCE_DIR [WORK_DIR]

Reports are written for a shipped plan scenario and a pinned one. Each index.html is
  1. screenshot at 1280x800 (--screenshot): the PNG is decoded with zlib and must show pixel
     variety (a blank or failed page is one colour);
  2. dumped after load (--dump-dom): every chart's <svg id> must be there, and the page's
     scrollWidth (recorded by the report's inline script) must not exceed its clientWidth;
  3. watched for console messages (--enable-logging=stderr --v=0): any error fails.
Without chromium the test skips (exit 77) locally and fails under CI (CI=true), where
scripts/setup.sh installs it.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHARTS = ["chart-pareto", "chart-breakdown", "chart-memory", "chart-timeline", "chart-cost"]
SCENARIOS = [
    ("plan", "scenarios/regression/plan-three-clouds-llama3-8b.json"),
    ("pinned", "scenarios/regression/aws-p5-llama3-70b.json"),
]
SKIP = 77


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA PNG (what chromium writes) into (width, height, rows)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {ctype}")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def chromium_run(chromium, args, page, timeout=60):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
           "--hide-scrollbars", "--no-first-run", "--disable-extensions",
           "--enable-logging=stderr", "--v=0"] + args + ["file://" + page]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def console_errors(stderr):
    bad = []
    for line in stderr.splitlines():
        if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line or "error" in line.lower()):
            bad.append(line.strip())
        elif "Uncaught" in line:
            bad.append(line.strip())
    return bad


def check_report(chromium, name, folder, failures):
    page = os.path.join(folder, "index.html")
    for f in ("index.html", "summary.md", "candidates.csv"):
        if not os.path.isfile(os.path.join(folder, f)):
            failures.append(f"{name}: {f} missing")
    html = open(page, encoding="utf-8").read()
    for needle in ("http://", "https://", "<img", "<link", "@import", "url("):
        if needle in html.replace('xmlns="http://www.w3.org/2000/svg"', ""):
            failures.append(f"{name}: index.html refers outside itself ({needle!r})")
    size = os.path.getsize(page)
    if size > 5 * 1024 * 1024:
        failures.append(f"{name}: index.html is {size} bytes, over 5 MB")

    png = os.path.join(folder, "shot.png")
    shot = chromium_run(chromium, [f"--screenshot={png}"], page)
    errors = console_errors(shot.stderr)
    if not os.path.isfile(png):
        failures.append(f"{name}: no screenshot (exit {shot.returncode}): {shot.stderr[-800:]}")
    else:
        w, h, rows, bpp = png_pixels(png)
        colours = set()
        for y in range(0, h, 4):
            row = rows[y]
            for x in range(0, w * bpp, 4 * bpp):
                colours.add(row[x:x + 3])
        if (w, h) != (1280, 800):
            failures.append(f"{name}: screenshot is {w}x{h}, expected 1280x800")
        if len(colours) < 16:
            failures.append(f"{name}: blank or broken page ({len(colours)} colours in the screenshot)")
        print(f"{name}: screenshot {w}x{h}, {len(colours)} distinct colours sampled")

    dom = chromium_run(chromium, ["--dump-dom", "--virtual-time-budget=2000"], page)
    errors += console_errors(dom.stderr)
    text = dom.stdout
    if "<svg" not in text:
        failures.append(f"{name}: dumped DOM has no SVG (exit {dom.returncode}): {dom.stderr[-800:]}")
    for chart in CHARTS:
        if f'id="{chart}"' not in text:
            failures.append(f"{name}: chart {chart} missing from the rendered page")
    import re
    sw = re.search(r'data-scroll-width="(\d+)"', text)
    cw = re.search(r'data-client-width="(\d+)"', text)
    if not sw or not cw:
        failures.append(f"{name}: the page's width was not recorded (did its script run?)")
    else:
        print(f"{name}: scrollWidth {sw.group(1)}, clientWidth {cw.group(1)}")
        if int(sw.group(1)) > int(cw.group(1)):
            failures.append(f"{name}: horizontal overflow at 1280 px: scrollWidth {sw.group(1)} > "
                            f"clientWidth {cw.group(1)}")
    for e in errors:
        failures.append(f"{name}: console error: {e}")


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    cirrus, source = sys.argv[1], sys.argv[2]
    chromium = find_chromium()
    if chromium is None:
        msg = "chromium is not installed (scripts/setup.sh installs it: apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            print("FAIL: " + msg)
            return 1
        print("SKIP: " + msg)
        return SKIP
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="cirrus-browser-")
    failures = []
    start = time.time()
    for name, scenario in SCENARIOS:
        folder = os.path.join(work, name)
        run = subprocess.run([cirrus, "report", os.path.join(source, scenario), "--out", folder,
                              "-j", "2"], capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            failures.append(f"{name}: cirrus report exited {run.returncode}: {run.stderr}")
            continue
        check_report(chromium, name, folder, failures)
    print(f"browser checks took {time.time() - start:.1f} s")
    for f in failures:
        print("FAIL: " + f)
    if len(sys.argv) <= 3:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
