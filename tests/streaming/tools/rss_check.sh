#!/usr/bin/env bash
# Memory and drop check of the streaming executor on a live source (docs/BENCHMARKS.md,
# "Streaming executor"); not a test. Runs FRAMES frames of a live GStreamer test pattern at FPS
# through STAGE_YAML (default: a bilateral filter slower than the source, so frames must drop),
# samples the process's VmRSS and the frames written (jsonl lines) every second, and prints the
# RSS after the first 1,000 frames, the largest RSS after that, and the run's metrics.
# RUN_ARGS adds arguments to `cvpipe run` (e.g. "--set runtime.executor=sequential").
#   bash tests/streaming/tools/rss_check.sh BUILD_DIR [FRAMES] [FPS]
set -euo pipefail
BUILD="${1:?usage: rss_check.sh BUILD_DIR [FRAMES] [FPS]}"
FRAMES="${2:-20000}"
FPS="${3:-200}"
CVPIPE="$BUILD/apps/cvpipe/cvpipe"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/live.yaml" <<YAML
source:
  type: gstreamer
  pipeline: "videotestsrc is-live=true num-buffers=$FRAMES pattern=ball ! video/x-raw,width=320,height=240,framerate=$FPS/1 ! videoconvert ! video/x-raw,format=BGR ! appsink"
  live: true
stages:
  - ${STAGE_YAML:-"{ stage: bilateral, params: { d: 9, sigma_color: 50, sigma_space: 50 } }"}
sinks:
  - { type: jsonl, path: $TMP/frames.jsonl }
runtime: { queue: 4, drop: oldest }
YAML
"$CVPIPE" run "$TMP/live.yaml" -q --metrics "$TMP/metrics.json" ${RUN_ARGS:-} &
pid=$!
: > "$TMP/rss.log"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n "$rss" ]] && echo "$(date +%s) $rss" >> "$TMP/rss.log"
  sleep 1
done
wait "$pid" || echo "cvpipe exited with $?"
/usr/bin/python3 - "$TMP/rss.log" "$TMP/metrics.json" <<'PY'
import json, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
m = json.load(open(sys.argv[2]))
read = m["source"]["frames"]
# A live source delivers frames at a steady rate: frames read so far ~ the time share of the run.
t0, t1 = rows[0][0], rows[-1][0]
at_1000 = next((r for r in rows if (r[0] - t0) / max(1, t1 - t0) * read >= 1000), rows[0])
later = [r for r in rows if r[0] >= at_1000[0]]
print(f"samples {len(rows)} over {t1 - t0} s; source frames read {read}, written {m['frames']}, dropped {m['dropped']}")
print(f"RSS after ~1000 frames: {at_1000[1] / 1024:.1f} MB; max after: {max(r[1] for r in later) / 1024:.1f} MB; "
      f"last: {rows[-1][1] / 1024:.1f} MB; growth {(max(r[1] for r in later) - at_1000[1]) / 1024:.1f} MB")
step = max(1, len(rows) // 12)
print("RSS MB over time (s):", " ".join(f"{r[0] - t0}:{r[1] / 1024:.0f}" for r in rows[::step]))
print(f"fps {m['fps']}, stage p50 {m['stages'][0]['ms_p50']} ms, queue max {m['stages'][0]['queue_max']}, "
      f"latency p50 {m['latency_ms_p50']} ms p95 {m['latency_ms_p95']} ms")
PY
