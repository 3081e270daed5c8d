#!/usr/bin/env bash
# The equal-compute ablation of docs/training-and-evaluation.md: five runs of the same network
# (C = 16, R = 3, content skips, no output norm, 128x128 pairs) that differ only in the training
# mode and in contrast randomisation, each stopped after the same CPU time of the trainer
# (one thread). Then `node packages/core/scripts/select-checkpoint.mjs` scores each on the
# validation set. Not run in CI.
#   bash tools/reference/run_ablation.sh [CPU_MINUTES] [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
MIN="${1:-8}"
OUT="${2:-data-cache/runs/ablation}"
CFG='{"channels":16,"residualBlocks":3,"contentSkips":true,"outputNorm":false,"cropSize":128,"learningRate":0.0002,"decayStart":1}'
run() {
  local name="$1"; shift
  echo "== $name: $*"
  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/train_default_model.py --out "$OUT/$name" \
    --steps 100000 --threads 1 --pairs-seed 1 --config "$CFG" --max-cpu-minutes "$MIN" --save-minutes 1000 "$@" \
    > "$OUT/$name.log" 2>&1
  tail -n 2 "$OUT/$name.log"
}
mkdir -p "$OUT"
run paired-contrast --mode paired --batch 8
run paired-plain --mode paired --batch 8 --no-contrast
run semi-contrast --mode semi --batch 2 --paired-weight 10
run unpaired-contrast --mode semi --batch 2 --paired-weight 0
run unpaired-plain --mode semi --batch 2 --paired-weight 0 --no-contrast
