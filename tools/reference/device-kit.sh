#!/usr/bin/env bash
# Packs what train_default_model.py needs on a GPU machine that has PyTorch but no Node, no
# node_modules and no Debian data (the device machines lent to some sessions), into one folder
# that travels beside the repository's tracked files:
#
#   node.xz                       this machine's Node binary (links only libc, libstdc++, libm)
#   scripts/training-pair-stream.mjs
#                                 the pair stream bundled with its imports (esbuild; no
#                                 node_modules needed); it finds its data in data-cache/ beside
#                                 scripts/, as the repository's own copy does
#   data.tar.xz                   Colin27 (ch2, ch2bet, ch2better), the AAL and Brodmann atlases
#                                 of mricron-data, and the cached tissue labels, uncompressed
#                                 NIfTI in one xz archive (smaller than the .nii.gz files)
#
# tools/reference/device-train.sh unpacks it there and runs the trainer unchanged, with
# DUNCAN_PAIR_STREAM pointing to the bundled stream. Prepare here, after `npm run build`,
# `bash tools/reference/fetch-data.sh` and one run of the stream (which caches the labels):
#
#   bash tools/reference/device-kit.sh [data-cache/device-kit]
#
# The device tool sends at most 64 MiB (the tracked files, about 31 MB, and what `carry` names):
# the kit is about 33 MB, and this script prints the total.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kit="${1:-$root/data-cache/device-kit}"
templates="$root/data-cache/x/mricron-data/usr/share/mricron/templates"
labels="$root/data-cache/training/colin27-labels.nii"
for f in "$templates/ch2.nii.gz" "$labels"; do
  [ -e "$f" ] || { echo "device-kit: $f is missing (fetch-data.sh, then one run of the stream)" >&2; exit 1; }
done
rm -rf "$kit" && mkdir -p "$kit/scripts"
(cd "$root" && npx esbuild packages/core/scripts/training-pair-stream.mjs --bundle --platform=node \
  --format=esm --log-level=warning --outfile="$kit/scripts/training-pair-stream.mjs")
xz -T0 -9e -c "$(readlink -f "$(command -v node)")" > "$kit/node.xz"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/templates" "$stage/training"
for f in ch2 ch2bet ch2better aal brodmann; do gunzip -c "$templates/$f.nii.gz" > "$stage/templates/$f.nii"; done
cp "$labels" "$stage/training/"
tar -C "$stage" -cf - templates training | xz -T0 -9 > "$kit/data.tar.xz"
tracked=$(cd "$root" && git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
size=$(du -sb "$kit" | cut -f1)
echo "device-kit: $kit, $((size / 1000000)) MB; with the tracked files $(((size + tracked) / 1000000)) MB of the 67 MB (64 MiB) the device tool sends"
