#!/usr/bin/env bash
# Demo snippet for the classify plugin: called by scripts/demo.sh with the cvpipe binary as $1 and
# the output folder as $2. Labels 25 printed digits cut from opencv-doc's sudoku.png photo (dark ink
# on gray paper, any size, with grid-line remnants) with the shipped model trained on handwritten
# white-on-black digits.png cells, writes the images with their label drawn, a JSON line per image,
# before/after contact sheets, and the model's accuracy + confusion matrix on the 2500 held-out
# digits.png test cells. ~5 s.
set -euo pipefail

CVPIPE="${1:?usage: scripts/demo/classify.sh PATH/TO/cvpipe OUTPUT_DIR}"
OUT="${2:?usage: scripts/demo/classify.sh PATH/TO/cvpipe OUTPUT_DIR}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODEL="$ROOT/models/classify_digits.safetensors"
SAMPLES="$ROOT/plugins/classify/samples"
if [[ ! -f "$MODEL" ]]; then
  echo "demo classify: models/classify_digits.safetensors is missing (cvpipe train configs/train/classify_digits.yaml); skipped" >&2
  exit 0
fi
rm -rf "$OUT"
mkdir -p "$OUT"

echo "demo classify: 25 printed sudoku digits -> classify (top 3) -> labels drawn + JSON lines (configs/classify_digits.yaml)"
"$CVPIPE" run "$ROOT/configs/classify_digits.yaml" --input "$SAMPLES" --output "$OUT/labelled" --quiet --threads 1
"$CVPIPE" run "$ROOT/configs/classify_digits.yaml" --input "$SAMPLES" --output "$OUT/labels.jsonl" --quiet --threads 1
"$CVPIPE" run "$ROOT/plugins/classify/demo/contact_sheet.yaml" --input "$SAMPLES" --output "$OUT/before" --quiet --threads 1
"$CVPIPE" run "$ROOT/plugins/classify/demo/contact_sheet.yaml" --input "$OUT/labelled" --output "$OUT/after" --quiet --threads 1
echo "demo classify: accuracy on the 2500 held-out digits.png test cells (cvpipe eval classify)"
"$CVPIPE" eval classify --model "$MODEL" --dataset digits --split test --plot "$OUT/confusion.png" --json --quiet --threads 1 \
  > "$OUT/eval_digits_test.json"

# The true digit is the last part of each sample's name (sudoku_<index>_<digit>.png).
right=0 total=0
while IFS= read -r line; do
  src=$(sed -n 's/.*"source":"\([^"]*\)".*/\1/p' <<< "$line")
  top=$(sed -n 's/.*"labels":\[{[^}]*"name":"\([^"]*\)".*/\1/p' <<< "$line")
  truth=${src%.png}; truth=${truth##*_}
  total=$((total + 1)); [[ "$top" == "$truth" ]] && right=$((right + 1))
done < "$OUT/labels.jsonl"
acc=$(sed -n 's/.*"accuracy":\([0-9.]*\).*/\1/p' "$OUT/eval_digits_test.json")

printf '  %-28s %s\n' "$right of $total sudoku digits" "labelled correctly (top 1)"
printf '  %-28s %s\n' "digits.png test accuracy" "$acc ($OUT/eval_digits_test.json)"
printf '  %-28s %s\n' "images with labels drawn" "$OUT/labelled/"
printf '  %-28s %s\n' "one JSON line per image" "$OUT/labels.jsonl"
for sheet in "$OUT"/before/*.png "$OUT"/after/*.png; do
  [[ -e "$sheet" ]] && printf '  %-28s %s\n' "contact sheet ($(basename "$(dirname "$sheet")"))" "$sheet"
done
printf '  %-28s %s\n' "confusion matrix" "$OUT/confusion.png"
