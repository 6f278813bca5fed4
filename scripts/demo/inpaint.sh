#!/usr/bin/env bash
# Inpaint demo, called by scripts/demo.sh with the cvpipe binary ($1) and an output folder ($2).
# 1. `cvpipe eval inpaint` on 256x192 crops of four held-out photos with seeded free-form masks
#    (5-20% of each): hole PSNR and speed of the network vs Telea and Navier-Stokes in eval.json,
#    the masks in masks/, one strip per photo (masked | telea | cnn | original) in strips/.
# 2. The user path: configs/inpaint.yaml over the crops and their mask files -> filled/.
# 3. A pipeline (a config written to $2): the strips -> imgproc grid -> one before/after contact
#    sheet, contact_sheet_000000.png.
# Takes about 5-10 s on 2 idle cores (30 s under load 7).
set -euo pipefail
CVPIPE="${1:?usage: scripts/demo/inpaint.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/inpaint.sh PATH/TO/cvpipe OUTPUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
mkdir -p "$OUT/originals"
for f in fruits.jpg butterfly.jpg baboon.jpg messi5.jpg; do cp "$DATA/$f" "$OUT/originals/"; done
# 256x192 crops (the same window of each photo), written by a one-off pipeline.
cat > "$OUT/crops.yaml" <<YAML
# Written by scripts/demo/inpaint.sh: a 256x192 window of each photo, as PNG.
source: { type: images, path: $OUT/originals }
stages:
  - { stage: crop, params: { x: 128, y: 64, width: 256, height: 192 } }
sinks:
  - { type: images, path: $OUT/photos, ext: png }
YAML
"$CVPIPE" run "$OUT/crops.yaml" --quiet

echo "inpaint: learned hole filling vs Telea / Navier-Stokes on 256x192 crops of 4 held-out photos (holes 5-20%)"
"$CVPIPE" eval inpaint --model "$ROOT/models/inpaint.safetensors" --images "$OUT/photos" --seed 0 \
  --masks "$OUT/masks" --save "$OUT/strips" --json > "$OUT/eval.json"
python3 - "$OUT/eval.json" <<'PY' || cat "$OUT/eval.json"
import json, sys
j = json.load(open(sys.argv[1]))
print(f"  hole PSNR: cnn {j['hole_psnr']:.2f} dB ({j['ms_per_mpix']:.0f} ms/Mpix)   telea {j['hole_psnr_telea']:.2f} dB   "
      f"ns {j['hole_psnr_ns']:.2f} dB   (n={j['n']}, holes {100 * j['coverage']:.1f}% of each image)")
PY

# The user path: the shipped config over the same crops and mask files.
"$CVPIPE" run "$ROOT/configs/inpaint.yaml" --input "$OUT/photos" --output "$OUT/filled" \
  --set "stages.inpaint.mask_dir=$OUT/masks" --quiet

cat > "$OUT/contact_sheet.yaml" <<YAML
# Written by scripts/demo/inpaint.sh: every strip (masked | telea | cnn | original) on one sheet.
source: { type: images, path: $OUT/strips }
stages:
  - stage: grid
    name: contact_sheet
    params: { cols: 1, count: 16, tile_width: 1036, tile_height: 214, captions: false }
sinks:
  - { type: images, path: $OUT }
YAML
"$CVPIPE" run "$OUT/contact_sheet.yaml" --quiet
echo "inpaint: wrote $OUT/contact_sheet_000000.png (before/after), $OUT/strips/, $OUT/filled/, $OUT/eval.json"
