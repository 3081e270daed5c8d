export { type EllipsePhantomOptions, ellipsePhantom } from './ellipse-phantom.js';
export { maxAbsDiff } from './max-abs-diff.js';
export {
  codeAndArgumentOf,
  codeOf,
  type ExpectedMriError,
  expectMriError,
  type MriErrorOf,
} from './mri-error.js';
