#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD (see `make fuzz`) for SECONDS each, from corpora seeded
# with the shipped files, and prints executions, coverage and findings per target. A finding is
# saved as BUILD/fuzz/findings/TARGET-crash-* (reproduce: BUILD/tests/fuzz/fuzz_TARGET FILE) and
# makes the script exit 1. FUZZ_TARGETS="config set ..." runs only those targets.
set -euo pipefail
BUILD=${1:?usage: fuzz.sh BUILD SECONDS}
SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$BUILD/fuzz"
mkdir -p "$WORK/findings"

seed() {  # seed TARGET FILES...: copy files into the target's seed folder
  local dir="$SEEDS/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/" || true; done
}
# Seeds go to a folder of this run's own, so runs of different targets may go side by side.
SEEDS=$(mktemp -d "$WORK/seeds.XXXXXX")
trap 'rm -rf "$SEEDS"' EXIT
seed config "$ROOT"/configs/*.yaml "$ROOT"/examples/*/*.yaml "$ROOT"/examples/*/*/*.yaml
seed recipe "$ROOT"/configs/train/*.yaml
mkdir -p "$SEEDS/set"
printf 'runtime.on_error=stop\nsource.path=a.png\nsinks.0.path=out\nsinks.1.path=f.jsonl\n' >"$SEEDS/set/basic"
printf 'source.params.count=3\nstages.blur.sigma=2\nstages.0.params.k=[1, 2]\nruntime.queue=8\n' >"$SEEDS/set/stages"
printf 'runtime.max_frames=-1\nsource.type=video\nsinks.2.path={a: b}\n' >"$SEEDS/set/odd"
# safetensors: each shipped model's metadata and tensor names, each tensor shrunk to 2 values.
mkdir -p "$SEEDS/safetensors"
python3 - "$SEEDS/safetensors" "$ROOT"/models/*.safetensors <<'PY'
import json, struct, sys, os
out = sys.argv[1]
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    small, offset = {}, 0
    for name, v in header.items():
        if name == "__metadata__":
            small[name] = v
            continue
        small[name] = {"dtype": "F32", "shape": [2], "data_offsets": [offset, offset + 8]}
        offset += 8
    text = json.dumps(small).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(os.path.join(out, os.path.basename(path)), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + struct.pack("<f", 0.5) * (offset // 4))
PY
DATA=${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}
jpegs=$(find "$DATA" -maxdepth 1 -name '*.jpg' -size -40k 2>/dev/null | sort | head -n 6)
seed jpeg $jpegs $(find "$DATA" -maxdepth 1 -name '*.png' -size -20k 2>/dev/null | sort | head -n 2)
# coco: the smallest datasets the reader accepts, one with every optional key.
mkdir -p "$SEEDS/coco"
printf '{"images": [], "annotations": [], "categories": []}' >"$SEEDS/coco/empty.json"
cat >"$SEEDS/coco/annotations.json" <<'JSON'
{"info": {"description": "seed"},
 "images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48},
            {"id": 2.0, "file_name": "b.png", "width": 32, "height": 32}],
 "annotations": [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [1.5, 2, 10, 12.25], "area": 122.5, "iscrowd": 0},
                 {"image_id": 2, "category_id": 3, "bbox": [0, 0, 31, 31], "iscrowd": true}],
 "categories": [{"id": 7, "name": "seven"}, {"id": 3, "name": "three"}]}
JSON
# onnx: the shipped models exported by CVPIPE (a cvpipe binary; default build/apps/cvpipe/cvpipe)
# when there is one, and the ONNX package's own small examples when installed.
mkdir -p "$SEEDS/onnx"
CVPIPE=${CVPIPE:-$ROOT/build/apps/cvpipe/cvpipe}
if [ -x "$CVPIPE" ]; then
  for model in denoise_gray classify_digits; do
    "$CVPIPE" export "$ROOT/models/$model.safetensors" --onnx "$SEEDS/onnx/$model.onnx" >/dev/null 2>&1 || true
  done
fi
seed onnx $(find /usr/lib/python3/dist-packages/onnx/examples/resources -name '*.onnx' -size -8k 2>/dev/null | sort)

status=0
printf '%-12s %12s %8s %8s %s\n' target executions cov ft findings
for target in ${FUZZ_TARGETS:-config set recipe safetensors jpeg coco onnx}; do
  bin="$BUILD/tests/fuzz/fuzz_$target"
  corpus="$WORK/corpus/$target"
  mkdir -p "$corpus"
  log="$WORK/$target.log"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$WORK/findings/$target-" "$corpus" "$SEEDS/$target" >"$log" 2>&1; then
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
  findings=$(find "$WORK/findings" -name "$target-*" | wc -l)
  printf '%-12s %12s %8s %8s %s\n' "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$findings"
done
exit $status
