#!/usr/bin/env bash
# Fetch the real-MRI source volumes used by tools/reference/metrics_reference.py.
# They come from Debian (bookworm) packages; nothing else is downloaded.
# Output: data-cache/x/<pkg>/... (data-cache/ is git-ignored, never read at test time).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/data-cache"
mkdir -p "$CACHE/x"
cd "$CACHE"
for pkg in mricron-data insighttoolkit5-examples; do
  if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
    apt-get download "$pkg"
  fi
  deb="$(ls "${pkg}"_*.deb | sort | tail -n 1)"
  echo "$pkg: $deb"
  rm -rf "x/$pkg"
  dpkg-deb -x "$deb" "x/$pkg"
done
sha256sum \
  x/mricron-data/usr/share/mricron/templates/ch2.nii.gz \
  x/mricron-data/usr/share/mricron/templates/ch2bet.nii.gz \
  x/insighttoolkit5-examples/usr/share/doc/insighttoolkit5-examples/examples/Data/KmeansTest_T1UCharRaw.nii.gz
