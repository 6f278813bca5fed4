#!/usr/bin/env bash
# Runs every `cvpipe bench` case in cvpipe and in PyTorch (bench/torch_reference.py), f32 and bf16,
# interleaved case by case (cvpipe then torch, order swapped every round) for ROUNDS rounds so that
# machine noise hits both alike, and prints the ratio table (speed-up = torch ms / cvpipe ms): per
# implementation the median over rounds of the per-round medians (wall ms_per_iter and process CPU
# cpu_ms), the speed-up of those medians, and the median of the per-round interleaved wall ratios.
# Used by `make bench`.
#
#   scripts/bench.sh CVPIPE_BINARY
# Environment: ROUNDS (3), THREADS (2), DTYPES ("f32 bf16"), CASES (all), ITERS (0 = per-case
# default), CASE_ITERS (per-case overrides, e.g. "dncnn-infer=3 dcgan-train=5"), WARMUP (3),
# OUT (out/bench): writes OUT/results.jsonl (every run, with a "round" field) and OUT/table.md.
set -euo pipefail

CVPIPE=${1:?usage: scripts/bench.sh CVPIPE_BINARY}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
DTYPES=${DTYPES:-"f32 bf16"}
ITERS=${ITERS:-0}
WARMUP=${WARMUP:-3}
OUT=${OUT:-out/bench}
CASES=${CASES:-$("$CVPIPE" bench --list | awk '{print $1}')}

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "bench.sh: PyTorch not found for $PY (install python3-torch)" >&2
  exit 1
fi
# On a loaded machine libgomp's spinning barriers dominate both sides; wait passively there.
load=$(cut -d' ' -f1 /proc/loadavg)
if [ -z "${OMP_WAIT_POLICY:-}" ] && awk -v l="$load" -v n="$(nproc)" 'BEGIN{exit !(l > n)}'; then
  export OMP_WAIT_POLICY=passive
  echo "bench.sh: load $load > $(nproc) cores: OMP_WAIT_POLICY=passive for both sides" >&2
fi
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
CASE_ITERS=${CASE_ITERS:-}
iters_for() {  # the --iters/--warmup arguments for case $1
  local n=$ITERS kv
  for kv in $CASE_ITERS; do [ "${kv%%=*}" = "$1" ] && n=${kv#*=}; done
  echo --warmup "$WARMUP"
  if [ "$n" != 0 ]; then echo --iters "$n"; fi
}
tag() { sed "s/^{/{\"round\":$round,/" >> "$RESULTS"; }
run_cvpipe() { "$CVPIPE" bench "$1" --json --threads "$THREADS" --dtype "$2" $(iters_for "$1") | tag; }
run_torch() { "$PY" "$HERE/bench/torch_reference.py" "$1" --threads "$THREADS" --dtype "$2" $(iters_for "$1") | tag; }

echo "bench.sh: $ROUNDS rounds, $THREADS threads, dtypes: $DTYPES; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$ROUNDS"); do
  for dtype in $DTYPES; do
    for c in $CASES; do
      echo "  round $round  $dtype  $c" >&2
      if [ $((round % 2)) = 1 ]; then run_cvpipe "$c" "$dtype"; run_torch "$c" "$dtype"
      else run_torch "$c" "$dtype"; run_cvpipe "$c" "$dtype"; fi
    done
  done
done

echo "bench.sh: load at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$PY" - "$RESULTS" "$OUT/table.md" "$THREADS" "$ROUNDS" <<'PYEOF'
import json, sys, datetime, platform, statistics
results, table_path, threads, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
runs = {}  # (case, dtype, impl) -> {round: record}
for line in open(results):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    runs.setdefault((r["case"], r["dtype"], r.get("impl", "cvpipe")), {})[r.get("round", 0)] = r
cases = list(dict.fromkeys(k[0] for k in runs))
dtypes = list(dict.fromkeys(k[1] for k in runs))
med = statistics.median
head = ("| case | dtype | cvpipe ms | torch ms | speed-up (wall) | per-round speed-ups | cvpipe CPU ms | "
        "torch CPU ms | speed-up (CPU) |")
rows = [head, "|---|---|---|---|---|---|---|---|---|"]
fmt = lambda v: f"{v:.3f}" if v < 10 else f"{v:.1f}"
for d in dtypes:
    for c in cases:
        a, b = runs.get((c, d, "cvpipe"), {}), runs.get((c, d, "torch"), {})
        if not a or not b:
            continue
        aw, bw = med(r["ms_per_iter"] for r in a.values()), med(r["ms_per_iter"] for r in b.values())
        ac = med(r.get("cpu_ms", 0) for r in a.values())
        bc = med(r.get("cpu_ms", 0) for r in b.values())
        per = sorted(b[k]["ms_per_iter"] / a[k]["ms_per_iter"] for k in a if k in b)
        cells = [c, d, fmt(aw), fmt(bw), f"**{bw / aw:.2f}x**", " ".join(f"{x:.2f}" for x in per),
                 fmt(ac) if ac else "-", fmt(bc) if bc else "-", f"{bc / ac:.2f}x" if ac and bc else "-"]
        rows.append("| " + " | ".join(cells) + " |")
text = "\n".join(rows)
with open(table_path, "w") as f:
    f.write(f"<!-- {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {platform.node()}, threads {threads}, "
            f"{rounds} interleaved rounds; medians over rounds of per-round medians -->\n{text}\n")
print(text)
PYEOF
echo "bench.sh: wrote $RESULTS and $OUT/table.md" >&2
