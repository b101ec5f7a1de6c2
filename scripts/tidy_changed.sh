#!/usr/bin/env bash
# clang-tidy, warnings as errors, on the C++ files changed since BASE (committed, staged,
# unstaged and untracked changes alike), with the repository's .clang-tidy checks.
#
#   scripts/tidy_changed.sh [BASE]
#   scripts/tidy_changed.sh "$(git hash-object -t tree /dev/null)"    every file (the empty tree)
#
# BASE defaults to the merge-base of HEAD and origin/main, or HEAD~1 where there is no
# origin/main or HEAD is on it (CI's clean clone of main checks the last commit).
# Diagnostics are reported for the changed files only (clang-tidy's --line-filter), also when a
# changed header is checked through a translation unit that includes it.
#
# Uses the release build's compilation database (build/release/compile_commands.json; run
# `cmake --preset release` first; BUILD_DIR=DIR for another build). Only translation units in it
# are checked: a changed .cpp that the build does not compile (a fuzz target, a CUDA-only source,
# the benchmarks without Google Benchmark) is listed as skipped. A changed header is checked
# through its own .cpp or, failing that, the first compiled .cpp that includes it.
# CLANG_TIDY=PATH picks the binary (default clang-tidy; `scripts/setup.sh tidy` installs it);
# JOBS=N runs N at once (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

clang_tidy=${CLANG_TIDY:-clang-tidy}
build_dir=${BUILD_DIR:-build/release}
db="$build_dir/compile_commands.json"
command -v "$clang_tidy" >/dev/null ||
  { echo "tidy_changed: $clang_tidy not found (scripts/setup.sh tidy installs it)" >&2; exit 2; }
[[ -f "$db" ]] ||
  { echo "tidy_changed: no $db (cmake --preset release writes it)" >&2; exit 2; }

if [[ $# -gt 0 ]]; then
  base=$1
else
  base=""
  if git rev-parse -q --verify origin/main >/dev/null; then
    base=$(git merge-base HEAD origin/main)
    [[ "$base" == "$(git rev-parse HEAD)" ]] && base=""
  fi
  [[ -n "$base" ]] || base=HEAD~1
fi
git rev-parse -q --verify "$base^{tree}" >/dev/null || {
  echo "tidy_changed: no commit '$base' (a shallow clone? fetch more history or pass BASE)" >&2
  exit 2
}

mapfile -t changed < <({
  git diff --name-only --diff-filter=ACMR "$base" -- '*.cpp' '*.hpp'
  git ls-files --others --exclude-standard -- '*.cpp' '*.hpp'
} | LC_ALL=C sort -u)
echo "tidy_changed: $($clang_tidy --version | grep -m1 -o 'version [0-9.]*'), base $(git rev-parse --short "$base"), ${#changed[@]} changed C++ files"
[[ ${#changed[@]} -gt 0 ]] || exit 0

# What to run clang-tidy on: a changed .cpp the build compiles; for a changed header, its own
# .cpp or else the first compiled .cpp that includes it, directly or through other headers.
# Prints "check FILE" or "skip FILE (why)" per line.
plan_units() {
  python3 - "$db" "$root" "$build_dir" "$@" <<'EOF'
import json, os, re, subprocess, sys
db, root, build_dir, changed = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3], sys.argv[4:]
units = []
for entry in json.load(open(db)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(root + "/") and path.endswith(".cpp"):
        units.append(os.path.relpath(path, root))
unit_set = set(units)
tracked = subprocess.run(["git", "ls-files", "--", "*.cpp", "*.hpp"], capture_output=True,
                         text=True, check=True).stdout.split()
included_by = {}
for f in sorted(set(tracked) | unit_set | set(changed)):
    try:
        text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
    except OSError:
        continue
    for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
        included_by.setdefault(inc, []).append(f)
chosen = []
for f in changed:
    if f.endswith(".cpp"):
        if f in unit_set:
            chosen.append(f)
        else:
            print(f"skip {f} (not compiled by {build_dir})")
        continue
    own = f[:-4] + ".cpp"
    carrier = own if own in unit_set else None
    seen, frontier = {f}, [f]
    while carrier is None and frontier:
        following = []
        for h in frontier:
            for user in sorted(included_by.get(h, [])):
                if user in unit_set:
                    carrier = user
                    break
                if user not in seen:
                    seen.add(user)
                    following.append(user)
            if carrier:
                break
        frontier = following
    if carrier:
        chosen.append(carrier)
    else:
        print(f"skip {f} (no compiled .cpp includes it)")
for u in sorted(set(chosen)):
    print(f"check {u}")
EOF
}

to_check=()
skipped=()
while read -r verb rest; do
  if [[ "$verb" == check ]]; then to_check+=("$rest"); else skipped+=("$rest"); fi
done < <(plan_units "${changed[@]}")
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "tidy_changed: skipped $s"; done
[[ ${#to_check[@]} -gt 0 ]] || exit 0

# Report diagnostics in the changed files only: every changed file, all of its lines.
line_filter=$(printf '{"name":"/%s"},' "${changed[@]}")
line_filter="[${line_filter%,}]"

echo "tidy_changed: checking ${#to_check[@]} translation units"
if ! printf '%s\0' "${to_check[@]}" |
  xargs -0 -n 1 -P "${JOBS:-2}" "$clang_tidy" -p "$build_dir" --quiet --warnings-as-errors='*' \
    --header-filter='.*' --line-filter="$line_filter" 2>&1 |
  sed -u '/^[0-9]* warnings\? generated\.$/d'; then
  echo "tidy_changed: clang-tidy reported errors in the changed files (above)" >&2
  exit 1
fi
echo "tidy_changed: clean"
