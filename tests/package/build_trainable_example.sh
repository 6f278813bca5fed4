#!/usr/bin/env bash
# Usage: build_trainable_example.sh BUILD_DIR EXAMPLE_DIR. Installs cvpipe into a temporary prefix,
# builds the trainable example plugin (examples/trainable_plugin) against it, runs its GoogleTest,
# trains it for a few steps with the installed CLI, passes it through `cvpipe plugins check` and runs
# its pipeline with the model just trained. Fails (exit 1) on the first broken step.
set -euo pipefail
build_dir=$1
example_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cvpipe="$work/prefix/bin/cvpipe"

cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$example_dir" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" 2>&1 \
  && cmake --build "$work/build" -j 2 > "$work/build.log" 2>&1 \
  || { cat "$work/configure.log" "$work/build.log"; echo "FAIL: the trainable example does not build against the prefix"; exit 1; }

ctest --test-dir "$work/build" --output-on-failure > "$work/tests.log" 2>&1 \
  || { cat "$work/tests.log"; echo "FAIL: the trainable example's tests"; exit 1; }
grep -q "TrainingForAFewStepsLowersTheLoss" "$work/tests.log" && grep -q "100% tests passed" "$work/tests.log" \
  || { cat "$work/tests.log"; echo "FAIL: the trainable example's tests did not run"; exit 1; }

# The recipe as shipped, shortened: a model, metrics and curves in --out, the summary on stdout.
"$cvpipe" train "$example_dir/train.yaml" --plugin-path "$work/build" --out "$work/train" --quiet \
  --set steps=20 --set epoch_steps=10 --set log_every=5 --set val_crop=128 > "$work/train.json" \
  || { cat "$work/train.json"; echo "FAIL: cvpipe train train.yaml"; exit 1; }
grep -q '"val_psnr_blurred"' "$work/train.json" && grep -q '"model"' "$work/train.json" \
  || { cat "$work/train.json"; echo "FAIL: the train summary lacks val_psnr_blurred or model"; exit 1; }
for f in model.safetensors metrics.csv curves.png checkpoint.safetensors; do
  test -s "$work/train/$f" || { ls -la "$work/train"; echo "FAIL: training wrote no $f"; exit 1; }
done

"$cvpipe" plugins check "$work/build/libcvpipe_sharpen.so" --set "sharpen.model=$work/train/model.safetensors" \
  > "$work/check.log" 2>&1 || { cat "$work/check.log"; echo "FAIL: plugins check on the trainable example"; exit 1; }

"$cvpipe" run "$example_dir/pipeline.yaml" --plugin-path "$work/build" --output "$work/out" --quiet \
  --set "stages.sharpen.params.model=$work/train/model.safetensors" \
  || { echo "FAIL: the trainable example's pipeline"; exit 1; }
test -s "$work/out/butterfly.png" || { ls -la "$work/out"; echo "FAIL: the sharpened image was not written"; exit 1; }
echo "trainable example: ok"
