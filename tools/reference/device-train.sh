#!/usr/bin/env bash
# Runs train_default_model.py on a GPU machine from the kit of tools/reference/device-kit.sh,
# then packs the run for the trip back. In the repository's root there:
#
#   bash tools/reference/device-train.sh KIT RESULTS [trainer flags...]
#
# KIT: the kit folder (carried); RESULTS: where the packed run goes (the device tool brings back
# at most 8 files of at most 16 MiB: run.tar, the state and logs, and steps.tar.xz.part-NN, the
# kept weights); the trainer flags are train_default_model.py's, `--out` excepted (the run goes
# to /tmp/run). Unpack the result here with
#   mkdir -p data-cache/runs/<name> && tar -C data-cache/runs/<name> -xf RESULTS/run.tar &&
#   cat RESULTS/steps.tar.xz.part-* | xz -d | tar -C data-cache/runs/<name> -x
# then score it with select-checkpoint.mjs as any run.
#
# The trainer is the one this machine runs; on a CUDA machine give it `--device cuda` and
# `--streams N` (Node processes drawing the pairs: about 60 pairs a second each on one core).
set -euo pipefail
kit="$(cd "$1" && pwd)"
results="$2"
shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# A second call on a warm machine starts a new run: /tmp/run is the trainer's --out.
rm -rf /tmp/run
mkdir -p /tmp/node/bin "$results"
xz -dc "$kit/node.xz" > /tmp/node/bin/node
chmod +x /tmp/node/bin/node
export PATH="/tmp/node/bin:$PATH"
echo "device-train: node $(node --version) at $(command -v node)"
# The bundled stream reads data-cache/ beside its scripts/ folder.
data="$kit/data-cache"
templates="$data/x/mricron-data/usr/share/mricron/templates"
mkdir -p "$templates" "$data/training"
stage="$(mktemp -d)"
tar -C "$stage" -xJf "$kit/data.tar.xz"
for f in "$stage"/templates/*.nii; do gzip -1 -c "$f" > "$templates/$(basename "$f").gz"; done
mv "$stage/training/colin27-labels.nii" "$data/training/"
rm -rf "$stage"
export DUNCAN_PAIR_STREAM="$kit/scripts/training-pair-stream.mjs"
status=0
(cd "$root" && python3 tools/reference/train_default_model.py --out /tmp/run "$@") || status=$?
# The state and logs in one file (the state is about 12.7 MB); the kept weights (step-N, about
# 4 MB each once compressed) in one xz stream cut into parts of 15 MB: keep at most about 25.
mkdir -p /tmp/run
tar -C /tmp/run -cf "$results/run.tar" --exclude='step-*' .
if compgen -G "/tmp/run/step-*" > /dev/null; then
  (cd /tmp/run && tar -cf - step-*) | xz -T0 -3 | split -b 15000000 -d - "$results/steps.tar.xz.part-"
fi
ls -la "$results"
exit $status
