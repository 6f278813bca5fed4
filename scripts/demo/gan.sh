#!/usr/bin/env bash
# Demo snippet for the gan plugin: called by scripts/demo.sh with the cvpipe binary as $1 and the
# output folder as $2. Writes 100 generated digits + a per-class contact sheet (configs/gan_digits.yaml)
# and a 10-second latent-walk video morphing through the digits (configs/gan_walk.yaml). ~5 s.
set -euo pipefail

CVPIPE="${1:?usage: scripts/demo/gan.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/gan.sh PATH/TO/cvpipe OUTPUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ ! -f "$ROOT/models/gan_digits.safetensors" ]]; then
  echo "demo gan: models/gan_digits.safetensors is missing (cvpipe train configs/train/gan_digits.yaml); skipped" >&2
  exit 0
fi
mkdir -p "$OUT"
rm -rf "$OUT/gan_digits" "$OUT/gan_walk.mp4"

echo "demo gan: 100 generated digits (10 per class) + contact sheet (configs/gan_digits.yaml)"
"$CVPIPE" run "$ROOT/configs/gan_digits.yaml" --output "$OUT/gan_digits" --quiet
echo "demo gan: latent walk through the digits, 240 frames (configs/gan_walk.yaml)"
"$CVPIPE" run "$ROOT/configs/gan_walk.yaml" --output "$OUT/gan_walk.mp4" --quiet

digits=$(find "$OUT/gan_digits" -maxdepth 1 -name 'gan_c*.png' | wc -l)
printf '  %-30s %s\n' "$digits generated digits" "$OUT/gan_digits/gan_c<class>_<index>.png"
for sheet in "$OUT"/gan_digits/sheet_*.png; do
  [[ -e "$sheet" ]] && printf '  %-30s %s\n' "per-class grid (a column each)" "$sheet"
done
printf '  %-30s %s\n' "latent-walk video" "$OUT/gan_walk.mp4"
