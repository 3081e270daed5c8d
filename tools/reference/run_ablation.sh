#!/usr/bin/env bash
# The equal-compute ablations of docs/training-and-evaluation.md. Every run is stopped after the
# same CPU time of the trainer (one thread; the pair generator runs beside it), then
# `node packages/node/scripts/select-checkpoint.mjs` scores it on the validation set. Not run in CI.
#
#   bash tools/reference/run_ablation.sh [CPU_MINUTES] [OUT] [scratch|warm] [CHECKPOINT]
#
# scratch: five runs of the same network (C = 16, R = 3, content skips, no output norm, 128x128
#   pairs, Adam 2e-4 without decay) from random weights, differing only in the training mode and
#   in contrast randomisation.
# warm: three runs that continue the paired training state (CHECKPOINT, default
#   training/default-model/checkpoint) at a constant rate of 5e-5 on 128x128 pairs: paired, and
#   semi-supervised and unpaired with UNPAIRED_RECIPE, side by side (one thread each).
set -euo pipefail
cd "$(dirname "$0")/../.."
MIN="${1:-8}"
OUT="${2:-data-cache/runs/ablation}"
SET="${3:-scratch}"
CKPT="${4:-training/default-model/checkpoint}"
run() {
  local name="$1"; shift
  echo "== $name: $*"
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/train_default_model.py --out "$OUT/$name" \
    --steps 1000000 --threads 1 --pairs-seed 1 --max-cpu-minutes "$MIN" --save-minutes 1000 "$@" \
    > "$OUT/$name.log" 2>&1
  tail -n 2 "$OUT/$name.log"
}
mkdir -p "$OUT"
if [ "$SET" = scratch ]; then
  CFG='{"channels":16,"residualBlocks":3,"contentSkips":true,"outputNorm":false,"cropSize":128,"learningRate":0.0002,"decayStart":1}'
  run paired-contrast --mode paired --batch 8 --config "$CFG"
  run paired-plain --mode paired --batch 8 --no-contrast --config "$CFG"
  run semi-contrast --mode semi --batch 2 --paired-weight 10 --config "$CFG"
  run unpaired-contrast --mode semi --batch 2 --paired-weight 0 --config "$CFG"
  run unpaired-plain --mode semi --batch 2 --paired-weight 0 --no-contrast --config "$CFG"
elif [ "$SET" = warm ]; then
  # UNPAIRED_RECIPE of @duncan-mri/core: head-masked discriminators, cycle 1, reconstruction 1,
  # content consistency 0 (the other weights as in the paper).
  WARM='{"cropSize":128,"learningRate":0.00005,"decayStart":1}'
  RECIPE='{"cropSize":128,"learningRate":0.00005,"decayStart":1,"headMaskedDiscriminators":true,"lossWeights":{"cycle":1,"reconstruction":1,"contentConsistency":0}}'
  run warm-paired --mode paired --batch 4 --resume "$CKPT" --config "$WARM" &
  run warm-semi --mode semi --batch 2 --paired-weight 10 --resume "$CKPT" --config "$RECIPE" &
  run warm-unpaired --mode semi --batch 2 --paired-weight 0 --resume "$CKPT" --config "$RECIPE" &
  wait
else
  echo "unknown set $SET (scratch or warm)" >&2; exit 2
fi
