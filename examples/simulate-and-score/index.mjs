// Read a NIfTI volume, corrupt it with each simulated artefact at each severity, score the
// damage against the clean volume, and write one corrupted volume back as NIfTI.
//
//   npm start -w @duncan-mri/example-simulate-and-score -- [input.nii.gz] [--seed N] [--out dir]
//   npm test  -w @duncan-mri/example-simulate-and-score   (the same with --check: asserts the results)
//
// Without an input it uses a real T1 volume that ships with the io tests (ITK's
// KmeansTest_T1UCharRaw.nii.gz, 128x128x62, Apache-2.0).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readNifti, writeNifti } from '@duncan-mri/io';
import { compareImages } from '@duncan-mri/metrics';
import { ARTEFACT_NAMES, replay, SEVERITIES, simulate } from '@duncan-mri/simulate';
import { createRng, intensityRange } from '@duncan-mri/volume';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
// `npm start -w ...` runs in this folder; paths the user typed are relative to where they typed them.
const userDir = process.env.INIT_CWD ?? process.cwd();
const input =
  (positional[0] && resolve(userDir, positional[0])) ??
  join(HERE, '../../packages/io/test/fixtures/nifti/KmeansTest_T1UCharRaw.nii.gz');
const seed = Number(option('--seed', '7'));

// Node's zlib inflates faster than the portable default; the byte budget still applies.
const inflate = (bytes, max) => gunzipSync(bytes, { maxOutputLength: max });
const { volume, header } = readNifti(new Uint8Array(readFileSync(input)), { inflate });
const { min, max, range: dataRange } = intensityRange(volume);
console.log(`${input}`);
console.log(
  `shape ${volume.shape.join('x')}, affine from ${header.affineSource}, intensities ${min}..${max}`,
);

const results = [];
const t0 = performance.now();
for (const artefact of ARTEFACT_NAMES) {
  for (const severity of SEVERITIES) {
    const rng = createRng(seed);
    const { volume: corrupted, applied } = simulate(volume, [{ artefact, severity }], rng);
    const scores = compareImages(volume, corrupted, { dataRange, slicewise: true });
    results.push({ artefact, severity, applied, corrupted, ...scores });
  }
}
const seconds = ((performance.now() - t0) / 1000).toFixed(1);

const fmt = (v, digits = 3) => (v === null ? '-' : v.toFixed(digits));
console.log(`\nslice-wise scores against the clean volume (seed ${seed}, ${seconds} s)`);
console.log('artefact   severity   ssim    uqi     vif     psnr (dB)');
for (const r of results) {
  console.log(
    `${r.artefact.padEnd(10)} ${r.severity.padEnd(9)}  ${fmt(r.ssim)}  ${fmt(r.uqi)}  ${fmt(r.vif)}  ${fmt(r.psnr, 1)}`,
  );
}

// Write one corrupted volume with the input's header (description, units, extensions kept),
// read it back, and check that nothing was lost on the way.
const worst = results.find((r) => r.artefact === 'motion' && r.severity === 'severe');
const outOption = option('--out', undefined);
const outDir = outOption
  ? resolve(userDir, outOption)
  : mkdtempSync(join(tmpdir(), 'duncan-example-'));
const outFile = join(outDir, 'motion-severe.nii.gz');
writeFileSync(outFile, writeNifti(worst.corrupted, { header, gzip: true }));
const back = readNifti(new Uint8Array(readFileSync(outFile)), { inflate }).volume;
const sameVoxels = back.data.every((v, i) => v === worst.corrupted.data[i]);
const sameAffine = back.affine.every((v, i) => Math.abs(v - volume.affine[i]) < 1e-5);
console.log(
  `\nwrote ${outFile}: voxels identical after re-reading ${sameVoxels}, affine kept ${sameAffine}`,
);

// The applied parameters are plain JSON: replaying them reproduces the corruption bit for bit.
const replayed = replay(volume, JSON.parse(JSON.stringify(worst.applied)));
const replayExact = replayed.data.every((v, i) => v === worst.corrupted.data[i]);
console.log(`replay from JSON reproduces it bit for bit: ${replayExact}`);
if (outOption === undefined) rmSync(outDir, { recursive: true, force: true });

if (check) {
  const failures = [];
  for (const artefact of ARTEFACT_NAMES) {
    const [mild, , severe] = SEVERITIES.map((s) =>
      results.find((r) => r.artefact === artefact && r.severity === s),
    );
    if (!(severe.ssim < mild.ssim)) failures.push(`${artefact}: severe SSIM not below mild`);
    if (!(mild.ssim < 1)) failures.push(`${artefact}: mild did not change the image`);
  }
  for (const r of results) {
    if (!r.corrupted.data.every((v) => Number.isFinite(v) && v >= 0)) {
      failures.push(`${r.artefact}/${r.severity}: non-finite or negative voxels`);
    }
  }
  if (!sameVoxels || !sameAffine) failures.push('NIfTI round trip lost data');
  if (!replayExact) failures.push('replay differs');
  if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\nall checks passed (${ARTEFACT_NAMES.length * SEVERITIES.length} corruptions)`);
}
