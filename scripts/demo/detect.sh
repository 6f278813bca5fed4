#!/usr/bin/env bash
# Detect demo, called by scripts/demo.sh with the cvpipe binary ($1) and an output folder ($2).
# People in vtest.avi with track ids: configs/video_people.yaml (hog people -> track -> draw) on the
# first 30 frames -> frames/*.png + frames.jsonl, then the drawn frames -> vtest_people.mp4 and
# before/after contact sheets of four frames. Then handwritten digits in held-out photo scenes:
# configs/detect_digits.yaml (the CNN detector) on plugins/detect/samples -> digits/ + a
# before/after contact sheet. About 10-20 s on 2 cores.
set -euo pipefail
CVPIPE="${1:?usage: scripts/demo/detect.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/detect.sh PATH/TO/cvpipe OUTPUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
FRAMES=30
rm -rf "$OUT"
mkdir -p "$OUT"

echo "demo detect: vtest.avi (first $FRAMES frames) -> detect (hog people) -> track (SORT ids) -> draw (configs/video_people.yaml)"
"$CVPIPE" run "$ROOT/configs/video_people.yaml" --max-frames "$FRAMES" --output "$OUT/frames" \
  --set sinks.1.path="$OUT/frames.jsonl" --metrics "$OUT/metrics.json" --quiet

# The raw frames (for the "before" sheet), the drawn frames as a video, and before/after contact
# sheets of frames 10, 17, 23 and 29.
cat > "$OUT/raw.yaml" <<YAML
source: { type: video, path: $DATA/vtest.avi }
sinks:
  - { type: images, path: raw, ext: jpg }
YAML
"$CVPIPE" run "$OUT/raw.yaml" --max-frames "$FRAMES" --quiet
cat > "$OUT/to_video.yaml" <<YAML
source: { type: images, path: frames, fps: 10 }
sinks:
  - { type: video, path: vtest_people.mp4 }
YAML
"$CVPIPE" run "$OUT/to_video.yaml" --quiet
cat > "$OUT/sheet.yaml" <<YAML
source: { type: images, path: frames, include: "vtest_000010.*,vtest_000017.*,vtest_000023.*,vtest_000029.*" }
stages:
  - stage: grid
    params: { cols: 2, count: 4, tile_width: 384, tile_height: 288, captions: true }
sinks:
  - { type: images, path: after, ext: jpg }
YAML
"$CVPIPE" run "$OUT/sheet.yaml" --quiet
"$CVPIPE" run "$OUT/sheet.yaml" --input "$OUT/raw" --output "$OUT/before" --quiet

echo "demo detect: 4 held-out digit scenes -> detect (cnn, models/detect_digits.safetensors) -> draw (configs/detect_digits.yaml)"
"$CVPIPE" run "$ROOT/configs/detect_digits.yaml" --output "$OUT/digits" --set sinks.1.path="$OUT/digits.jsonl" --quiet
cat > "$OUT/digits_sheet.yaml" <<YAML
source: { type: images, path: $ROOT/plugins/detect/samples }
stages:
  - stage: grid
    params: { cols: 2, count: 4, tile_width: 400, tile_height: 300, captions: true }
sinks:
  - { type: images, path: digits_after, ext: jpg }
YAML
"$CVPIPE" run "$OUT/digits_sheet.yaml" --output "$OUT/digits_before" --quiet
"$CVPIPE" run "$OUT/digits_sheet.yaml" --input "$OUT/digits" --quiet
python3 - "$OUT/digits.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
found = " | ".join(" ".join(d["label"] for d in sorted(j["detections"], key=lambda d: d["box"][0])) for j in lines)
print(f"  {len(lines)} scenes, {sum(len(j['detections']) for j in lines)} digits found (left to right per scene: {found})")
PY

python3 - "$OUT/frames.jsonl" "$OUT/metrics.json" <<'PY'
import json, sys
ids, people = set(), 0
lines = [json.loads(l) for l in open(sys.argv[1])]
for j in lines:
    people += len(j["detections"])
    ids.update(d["track_id"] for d in j["detections"])
m = json.load(open(sys.argv[2]))
det = next(s for s in m["stages"] if s["name"] == "detect")
print(f"  {len(lines)} frames, {people} tracked people boxes, {len(ids)} track ids; hog {det['ms_p50']:.0f} ms a frame (p50)")
PY
printf '  %-28s %s\n' "frames with ids drawn" "$OUT/frames/" "one JSON line per frame" "$OUT/frames.jsonl" \
  "video" "$OUT/vtest_people.mp4" "contact sheet (before)" "$OUT/before/" "contact sheet (after)" "$OUT/after/" \
  "digits found (drawn)" "$OUT/digits/" "digits sheet (before)" "$OUT/digits_before/" "digits sheet (after)" "$OUT/digits_after/"
