#!/usr/bin/env bash
# Retrains every shipped model from its recipe (configs/train/*.yaml) with the cvpipe binary $1.
# Each recipe names where its model is written (models/*.safetensors); models/MODELS.md records
# the time and metrics of the shipped run. Heavy: minutes to an hour per recipe on 2 cores.
set -euo pipefail
CVPIPE="${1:?usage: scripts/train-models.sh PATH/TO/cvpipe [RECIPE...]}"
shift
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
recipes=("$@")
if [[ ${#recipes[@]} -eq 0 ]]; then
  recipes=("$ROOT"/configs/train/*.yaml)
fi
for recipe in "${recipes[@]}"; do
  echo "train-models: $recipe"
  start=$(date +%s)
  "$CVPIPE" train "$recipe"
  echo "train-models: $recipe done in $(( $(date +%s) - start )) s"
done
