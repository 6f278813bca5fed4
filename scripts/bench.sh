#!/usr/bin/env bash
# Runs every `cvpipe bench` case in cvpipe and in PyTorch (bench/torch_reference.py), f32 and bf16,
# interleaved case by case (cvpipe then torch, order swapped every round) for ROUNDS rounds so that
# machine noise hits both alike; keeps each implementation's best per-round median and prints the
# ratio table (speed-up = torch ms / cvpipe ms). Used by `make bench`.
#
#   scripts/bench.sh CVPIPE_BINARY
# Environment: ROUNDS (3), THREADS (2), DTYPES ("f32 bf16"), CASES (all), ITERS (0 = per-case
# default), WARMUP (3), OUT (out/bench): writes OUT/results.jsonl (every run) and OUT/table.md.
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
iters_arg=(--warmup "$WARMUP")
if [ "$ITERS" != 0 ]; then iters_arg+=(--iters "$ITERS"); fi

run_cvpipe() { "$CVPIPE" bench "$1" --json --threads "$THREADS" --dtype "$2" "${iters_arg[@]}" >> "$RESULTS"; }
run_torch() { "$PY" "$HERE/bench/torch_reference.py" "$1" --threads "$THREADS" --dtype "$2" "${iters_arg[@]}" >> "$RESULTS"; }

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

"$PY" - "$RESULTS" "$OUT/table.md" "$THREADS" "$ROUNDS" <<'PYEOF'
import json, sys, datetime, platform
results, table_path, threads, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
best = {}
for line in open(results):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    key = (r["case"], r["dtype"], r.get("impl", "cvpipe"))
    best[key] = min(best.get(key, float("inf")), r["ms_per_iter"])
cases = list(dict.fromkeys(k[0] for k in best))
dtypes = list(dict.fromkeys(k[1] for k in best))
head = "| case | " + " | ".join(f"cvpipe {d} ms | torch {d} ms | speed-up {d}" for d in dtypes) + " |"
rows = [head, "|" + "---|" * (1 + 3 * len(dtypes))]
for c in cases:
    cells = [c]
    for d in dtypes:
        a, b = best.get((c, d, "cvpipe")), best.get((c, d, "torch"))
        cells += [f"{a:.3f}" if a else "-", f"{b:.3f}" if b else "-", f"{b / a:.2f}x" if a and b else "-"]
    rows.append("| " + " | ".join(cells) + " |")
text = "\n".join(rows)
with open(table_path, "w") as f:
    f.write(f"<!-- {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {platform.node()}, threads {threads}, "
            f"best of {rounds} interleaved rounds (each a median of per-iteration times) -->\n{text}\n")
print(text)
PYEOF
echo "bench.sh: wrote $RESULTS and $OUT/table.md" >&2
