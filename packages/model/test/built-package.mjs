// Smoke test of the BUILT package under plain Node, as a user installs it: the files resolve
// through the package's `exports` (from import and from require), and the helper of dist/
// points at the same files. Run: npx tsup && node test/built-package.mjs
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_FILES, defaultModelUrls } from '@duncan-mri/model';

const require = createRequire(import.meta.url);
const urls = defaultModelUrls();
for (const [key, file] of Object.entries(DEFAULT_MODEL_FILES)) {
  const viaImport = fileURLToPath(import.meta.resolve(`@duncan-mri/model/${file}`));
  assert.equal(require.resolve(`@duncan-mri/model/${file}`), viaImport, file);
  assert.equal(fileURLToPath(urls[key]), viaImport, file);
  assert.ok(statSync(viaImport).size > 0, file);
}
const fromRequire = require('@duncan-mri/model');
assert.equal(fromRequire.defaultModelUrls().weights.href, urls.weights.href);
console.log(`built-package smoke test passed: ${Object.values(DEFAULT_MODEL_FILES).join(', ')}`);
