#!/usr/bin/env bash
# Colorize / translate demo, called by scripts/demo.sh with the cvpipe binary ($1) and an output folder ($2).
# 1. `cvpipe eval colorize` on four held-out photos made gray: PSNR vs the gray pictures and
#    colourfulness vs the originals in eval.json, one strip per photo (gray | colorized | original)
#    in strips/.
# 2. A pipeline (a config written to $2): the strips -> imgproc grid -> one before/after contact
#    sheet, contact_sheet_000000.png.
# 3. Video frames: vtest.avi (2 frames) made gray -> colorize (configs/colorize.yaml).
# 4. The shipped translation: `cvpipe eval translate` (day -> night-style) on the 8 held-out photos,
#    strips in night/ (photo | translated | night_style target).
# Takes about 10-20 s on 2 cores.
set -euo pipefail
CVPIPE="${1:?usage: scripts/demo/colorize.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/colorize.sh PATH/TO/cvpipe OUTPUT_DIR}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"  # the configs written below resolve paths against their own folder
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
mkdir -p "$OUT/photos" "$OUT/strips"
for f in fruits.jpg butterfly.jpg baboon.jpg chicky_512.png; do cp "$DATA/$f" "$OUT/photos/"; done

echo "colorize: 4 held-out photos made gray, colourised by models/colorize.safetensors"
"$CVPIPE" eval colorize --model "$ROOT/models/colorize.safetensors" --images "$OUT/photos" \
  --save "$OUT/strips" --json > "$OUT/eval.json"
python3 - "$OUT/eval.json" <<'PY' || cat "$OUT/eval.json"
import json, sys
j = json.load(open(sys.argv[1]))
print(f"  PSNR {j['psnr']:.2f} dB (gray pictures {j['psnr_gray']:.2f} dB)   "
      f"colourfulness {j['colorfulness']:.1f} (originals {j['colorfulness_truth']:.1f})")
PY

cat > "$OUT/contact_sheet.yaml" <<YAML
# Written by scripts/demo/colorize.sh: every strip (gray | colorized | original) on one sheet.
source: { type: images, path: $OUT/strips }
stages:
  - stage: grid
    name: contact_sheet
    params: { cols: 1, count: 8, tile_width: 1200, tile_height: 420, captions: false }
sinks:
  - { type: images, path: $OUT }
YAML
"$CVPIPE" run "$OUT/contact_sheet.yaml" --quiet

cat > "$OUT/video.yaml" <<YAML
# Written by scripts/demo/colorize.sh: gray video frames through the colorize stage.
source: { type: video, path: $DATA/vtest.avi }
stages:
  - { stage: colorize, name: to_gray, params: { saturation: 0 } }
  - { stage: colorize }
sinks:
  - { type: images, path: $OUT/video }
YAML
"$CVPIPE" run "$OUT/video.yaml" --max-frames 2 --quiet

echo "translate: day -> night-style on the 8 held-out photos (models/translate_night.safetensors)"
"$CVPIPE" eval translate --model "$ROOT/models/translate_night.safetensors" --save "$OUT/night" --json > "$OUT/eval_night.json"
python3 - "$OUT/eval_night.json" <<'PY' || cat "$OUT/eval_night.json"
import json, sys
j = json.load(open(sys.argv[1]))
print(f"  PSNR {j['psnr']:.2f} dB against the night_style targets (untranslated photos {j['psnr_identity']:.2f} dB), {j['n']} held-out photos")
PY
echo "colorize: wrote $OUT/contact_sheet_000000.png (before/after), $OUT/strips/, $OUT/eval.json, $OUT/video/, $OUT/night/"
