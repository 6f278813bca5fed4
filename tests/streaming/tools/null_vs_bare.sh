#!/usr/bin/env bash
# The null-stage line (a file through a null stage vs a bare read loop), measured as interleaved triples so machine drift hits all three:
#   bash tests/streaming/tools/null_vs_bare.sh BUILD_DIR [ROUNDS]
# Each round: configs/bench_null.yaml with the streaming executor, the same with
# `runtime.executor=sequential`, and the bare cv::VideoCapture loop (cvpipe_bare_read), all on
# vtest.avi; prints each round's streaming / bare ratio, then the median ratio and the median fps.
set -euo pipefail
BUILD="${1:?usage: null_vs_bare.sh BUILD_DIR [ROUNDS]}"
ROUNDS="${2:-15}"
source "$(dirname "$0")/bench_common.sh"
s_all=() q_all=() b_all=()
for r in $(seq "$ROUNDS"); do
  "$CVPIPE" run "$ROOT/configs/bench_null.yaml" --threads 2 -q --metrics "$TMP/s.json"
  "$CVPIPE" run "$ROOT/configs/bench_null.yaml" --threads 2 -q --set runtime.executor=sequential --metrics "$TMP/q.json"
  b="$("$BARE" "$DATA/vtest.avi" | /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["fps"])')"
  s="$(fps "$TMP/s.json")" q="$(fps "$TMP/q.json")"
  s_all+=("$s") q_all+=("$q") b_all+=("$b")
  echo "round $r: streaming $s sequential $q bare $b fps ($(/usr/bin/python3 -c "print(round(100*$s/$b, 1))") %, load $(cut -d' ' -f1 /proc/loadavg))"
done
/usr/bin/python3 - "${s_all[*]}" "${q_all[*]}" "${b_all[*]}" <<'PY'
import statistics as st, sys
s, q, b = ([float(x) for x in a.split()] for a in sys.argv[1:4])
print(f"median per-round ratio: streaming / bare {100 * st.median(x / y for x, y in zip(s, b)):.1f} %, "
      f"sequential / bare {100 * st.median(x / y for x, y in zip(q, b)):.1f} %")
print(f"median fps: streaming {st.median(s):.0f}, sequential {st.median(q):.0f}, bare {st.median(b):.0f} "
      f"({100 * st.median(s) / st.median(b):.1f} %)")
PY
