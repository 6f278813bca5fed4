#!/usr/bin/env bash
# Runs the demo pipeline (configs/demo.yaml) with the cvpipe binary given as $1 and says what it
# wrote and where, then runs each plugin's snippet scripts/demo/NAME.sh (args: cvpipe, out/demo/NAME).
# Called by `make demo`. The whole demo stays under 90 s.
set -euo pipefail

CVPIPE="${1:?usage: scripts/demo.sh PATH/TO/cvpipe}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/out/demo"
if [[ ! -x "$CVPIPE" ]]; then
  echo "demo: cvpipe binary '$CVPIPE' not found or not executable (run 'make build' first)" >&2
  exit 2
fi
export CVPIPE_DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
if [[ ! -f "$CVPIPE_DATA/fruits.jpg" ]]; then
  echo "demo: sample photos not found in $CVPIPE_DATA (install opencv-doc: make deps)" >&2
  exit 2
fi

rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)
echo "demo: photos from $CVPIPE_DATA -> resize, nlmeans denoise, draw, contact sheet (configs/demo.yaml)"
"$CVPIPE" run "$ROOT/configs/demo.yaml" --metrics "$OUT/metrics.json"
end=$(date +%s)

photos=$(find "$OUT" -maxdepth 1 -name '*.jpg' ! -name 'contact_sheet_*' | wc -l)
echo
echo "demo: done in $((end - start)) s; wrote to $OUT:"
printf '  %-28s %s\n' "$photos processed photos" "$OUT/<name>.jpg"
for sheet in "$OUT"/contact_sheet_*.jpg; do
  [[ -e "$sheet" ]] && printf '  %-28s %s\n' "contact sheet" "$sheet"
done
printf '  %-28s %s\n' "one JSON line per frame" "$OUT/frames.jsonl ($(wc -l < "$OUT/frames.jsonl") lines)"
printf '  %-28s %s\n' "run metrics" "$OUT/metrics.json"

# Each plugin shows itself: scripts/demo/NAME.sh gets the cvpipe binary and its own folder out/demo/NAME.
for snippet in "$ROOT"/scripts/demo/*.sh; do
  [[ -e "$snippet" ]] || continue
  name="$(basename "$snippet" .sh)"
  echo
  bash "$snippet" "$CVPIPE" "$OUT/$name"
done
echo
echo "demo: everything done in $(( $(date +%s) - start )) s"
