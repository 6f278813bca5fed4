#!/usr/bin/env bash
# Training throughput of `mpirun -np 2 cvpipe train` (2 ranks x 1 thread) against one process
# (1 rank x 1 thread) on the denoise and classify recipes, interleaved: each round runs one recipe
# on 1 rank, then on 2 ranks, back to back. Throughput = steps / step_seconds (the time in training
# steps, gradient averaging included; data loading before training and evaluations excluded); the
# global batch is the recipe's in both. Prints one line per run and the ratio per round, and keeps
# each run's summary JSON (with the final eval metrics) in OUT.
#   bash scripts/bench-scale-out.sh [BUILD] [ROUNDS] [OUT]      (docs/scale-out.md)
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
out=${3:-/tmp/cvpipe-scale-out}
cvpipe="$(cd "$build" && pwd)/apps/cvpipe/cvpipe"
here="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
export OMP_WAIT_POLICY=passive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi=(mpirun --bind-to none -np 2)

declare -A sets
sets[denoise]="configs/train/denoise_gray.yaml --set steps=${DENOISE_STEPS:-12} --set epoch_steps=${DENOISE_STEPS:-12} --set time_limit=0 --set dtype=f32"
sets[classify]="configs/train/classify_digits.yaml --set epochs=${CLASSIFY_EPOCHS:-3} --set ensemble=1 --set eval_every=0 --set checkpoint_every=0"

rate() {  # steps / step_seconds of a summary JSON file
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.4f" % (j["steps"]/j["step_seconds"]))' "$1"
}

for recipe in denoise classify; do
  for r in $(seq 1 "$rounds"); do
    echo "== $recipe round $r  $(date -u +%H:%M:%S)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2086
    (cd "$here" && "$cvpipe" train ${sets[$recipe]} --threads 1 --quiet --out "$out/$recipe-1rank-$r") > "$out/$recipe-1rank-$r.json"
    # shellcheck disable=SC2086
    (cd "$here" && "${mpi[@]}" "$cvpipe" train ${sets[$recipe]} --threads 1 --quiet --out "$out/$recipe-2rank-$r") > "$out/$recipe-2rank-$r.json"
    one=$(rate "$out/$recipe-1rank-$r.json")
    two=$(rate "$out/$recipe-2rank-$r.json")
    echo "$recipe round $r: 1 rank $one steps/s, 2 ranks $two steps/s, ratio $(python3 -c "print('%.2f' % ($two/$one))")"
  done
done
