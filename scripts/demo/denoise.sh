#!/usr/bin/env bash
# Denoise demo, called by scripts/demo.sh with the cvpipe binary ($1) and an output folder ($2).
# 1. `cvpipe eval denoise` on 320x320 crops of four held-out photos at sigma 25 (gray and colour):
#    PSNR/SSIM/speed of the CNN vs NL-means in eval_{gray,color}.json and one strip per photo
#    (noisy | nlmeans | cnn | clean) in strips/.
# 2. A pipeline (a config written to $2): the strips -> imgproc grid -> one before/after contact
#    sheet, contact_sheet_000000.png.
# 3. Noisy video frames: vtest.avi (2 frames) -> add_noise 20 -> denoise (sigma auto).
# Takes about 10-20 s on 2 cores.
set -euo pipefail
CVPIPE="${1:?usage: scripts/demo/denoise.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/denoise.sh PATH/TO/cvpipe OUTPUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
mkdir -p "$OUT/photos" "$OUT/strips"
for f in fruits.jpg butterfly.jpg baboon.jpg squirrel_cls.jpg; do cp "$DATA/$f" "$OUT/photos/"; done

echo "denoise: CNN vs NL-means at sigma 25 on 4 held-out photos (320x320 crops)"
for model in gray color; do
  "$CVPIPE" eval denoise --model "$ROOT/models/denoise_$model.safetensors" --images "$OUT/photos" \
    --crop 320 --sigma 25 --seed 0 --save "$OUT/strips/$model" --json > "$OUT/eval_$model.json"
  python3 - "$OUT/eval_$model.json" "$model" <<'PY' || cat "$OUT/eval_$model.json"
import json, sys
j = json.load(open(sys.argv[1]))
print(f"  {sys.argv[2]:5s}  cnn {j['psnr']:.2f} dB ({j['ms_per_mpix']:.0f} ms/Mpix)   "
      f"nlmeans {j['psnr_nlmeans']:.2f} dB ({j['ms_per_mpix_nlmeans']:.0f} ms/Mpix)   noisy {j['psnr_noisy']:.2f} dB")
PY
done

cat > "$OUT/contact_sheet.yaml" <<YAML
# Written by scripts/demo/denoise.sh: every strip (noisy | nlmeans | cnn | clean) on one sheet.
source: { type: images, path: $OUT/strips/color }
stages:
  - stage: grid
    name: contact_sheet
    params: { cols: 1, count: 16, tile_width: 1300, tile_height: 342, captions: false }
sinks:
  - { type: images, path: $OUT }
YAML
"$CVPIPE" run "$OUT/contact_sheet.yaml" --quiet

cat > "$OUT/video.yaml" <<YAML
# Written by scripts/demo/denoise.sh: noisy video frames through the denoise stage.
source: { type: video, path: $DATA/vtest.avi }
stages:
  - { stage: add_noise, params: { sigma: 20 } }
  - { stage: denoise, params: { sigma: auto } }
sinks:
  - { type: images, path: $OUT/video }
YAML
"$CVPIPE" run "$OUT/video.yaml" --max-frames 2 --quiet
echo "denoise: wrote $OUT/contact_sheet_000000.png (before/after), $OUT/strips/, $OUT/eval_{gray,color}.json, $OUT/video/"
