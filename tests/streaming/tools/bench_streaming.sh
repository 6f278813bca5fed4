#!/usr/bin/env bash
# Streaming executor measurements for docs/BENCHMARKS.md ("Streaming executor"); not a test.
#   bash tests/streaming/tools/bench_streaming.sh BUILD_DIR [ROUNDS] [FRAMES]
# Interleaves, ROUNDS times: configs/bench_two_stages.yaml (first FRAMES frames, default 300) with
# --threads 1 and --threads 2, the null pipeline (configs/bench_null.yaml: vtest.avi -> null stage
# -> null sink, --threads 2), the bare cv::VideoCapture loop (cvpipe_bare_read) and, for
# reference, the null pipeline on the sequential executor; prints each round, then the median fps
# of each, the two ratios of the medians and the median of the per-round null / bare ratios.
set -euo pipefail
BUILD="${1:?usage: bench_streaming.sh BUILD_DIR [ROUNDS] [FRAMES]}"
ROUNDS="${2:-5}"
FRAMES="${3:-300}"
source "$(dirname "$0")/bench_common.sh"
median() { /usr/bin/python3 -c 'import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:])), 2))' "$@"; }
t1=() t2=() null=() bare=() seq=() ratio=()
for r in $(seq "$ROUNDS"); do
  "$CVPIPE" run "$ROOT/configs/bench_two_stages.yaml" --threads 1 --max-frames "$FRAMES" -q --metrics "$TMP/t1.json"
  t1+=("$(fps "$TMP/t1.json")")
  "$CVPIPE" run "$ROOT/configs/bench_two_stages.yaml" --threads 2 --max-frames "$FRAMES" -q --metrics "$TMP/t2.json"
  t2+=("$(fps "$TMP/t2.json")")
  "$CVPIPE" run "$ROOT/configs/bench_null.yaml" --threads 2 -q --metrics "$TMP/null.json"
  null+=("$(fps "$TMP/null.json")")
  bare+=("$("$BARE" "$DATA/vtest.avi" | /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["fps"])')")
  "$CVPIPE" run "$ROOT/configs/bench_null.yaml" --threads 2 -q --set runtime.executor=sequential --metrics "$TMP/seq.json"
  seq+=("$(fps "$TMP/seq.json")")
  ratio+=("$(/usr/bin/python3 -c "print(round(100*${null[-1]}/${bare[-1]}, 1))")")
  echo "round $r: threads1 ${t1[-1]} threads2 ${t2[-1]} null ${null[-1]} bare ${bare[-1]} (${ratio[-1]}%) sequential-null ${seq[-1]} fps (load $(cut -d' ' -f1 /proc/loadavg))"
done
m1=$(median "${t1[@]}"); m2=$(median "${t2[@]}"); mn=$(median "${null[@]}"); mb=$(median "${bare[@]}")
echo "median fps: bench_two_stages --threads 1: $m1  --threads 2: $m2  (x$(/usr/bin/python3 -c "print(round($m2/$m1, 2))"))"
echo "median fps: null pipeline: $mn  bare VideoCapture loop: $mb  ($(/usr/bin/python3 -c "print(round(100*$mn/$mb, 1))")%)  sequential null: $(median "${seq[@]}")"
echo "median of the per-round null / bare ratios: $(median "${ratio[@]}")%"
