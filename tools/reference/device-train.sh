#!/usr/bin/env bash
# Runs train_default_model.py on a GPU machine from the kit of tools/reference/device-kit.sh,
# then packs the run for the trip back. In the repository's root there:
#
#   bash tools/reference/device-train.sh KIT RESULTS [trainer flags...]
#
# KIT: the kit folder (carried); RESULTS: where the packed run goes; the trainer flags are
# train_default_model.py's, `--out` excepted (the run goes to /tmp/run). The device tool brings
# back at most 8 files of at most 16 MiB, so the whole run is one xz-compressed tar cut into
# parts of 15 MB (run.tar.xz.part-NN): first the logs and the state, then the kept weights
# (step-N), the newest first, so that if parts are left behind the state and the latest steps
# (the end of the schedule) still unpack (xz then ends with an error on the cut stream, and a
# step cut in the middle is refused by the checkpoint reader's size check). Only the newest
# $DUNCAN_RETURN_STEPS kept steps (default 6) are packed: each is a candidate the validation set
# must score (6 to 9 minutes each for the default corrector on this machine's two cores, about
# three times that for C = 32). A state of the default corrector (C = 16, R = 3) compresses to
# about 8 MB and each kept step to about 4 MB (1.2 MB with --keep-inference); a C = 32, R = 4
# state to 30 to 45 MB and its kept steps to about 6 MB with --keep-inference. Unpack here with
#   mkdir -p data-cache/runs/<name> && cat RESULTS/run.tar.xz.part-* | xz -d | tar -C data-cache/runs/<name> -x
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
mkdir -p /tmp/run
# The leftovers of a save that was killed (NAME.partial, NAME.old) do not travel.
rm -rf /tmp/run/*.partial /tmp/run/*.old
# Only the newest kept steps travel back (their names sort by step).
ret="${DUNCAN_RETURN_STEPS:-6}"
mapfile -t older < <(cd /tmp/run && find . -maxdepth 1 -name 'step-*' -type d | sort -r | tail -n +"$((ret + 1))")
if [ "${#older[@]}" -gt 0 ]; then
  echo "device-train: leaving behind ${#older[@]} older kept steps (DUNCAN_RETURN_STEPS=$ret): ${older[*]}"
  (cd /tmp/run && rm -rf "${older[@]}")
fi
# The logs and the state first (the small files, then the state), then the kept steps, newest first.
(cd /tmp/run && { find . -path './step-*' -prune -o -type f -print | sort -r; find . -path './step-*' -type f | sort -r; } |
  tar -cf - --no-recursion -T -) | xz -T0 -3 | split -b 15000000 -d - "$results/run.tar.xz.part-"
parts=$(find "$results" -name 'run.tar.xz.part-*' | wc -l)
ls -la "$results"
if [ "$parts" -gt 8 ]; then
  echo "device-train: $parts parts, more than the 8 files the device tool brings back: the last ones will be left behind (fewer --keep-every steps, or --keep-inference)" >&2
fi
exit $status
