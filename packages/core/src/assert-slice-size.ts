import { invalidArgument, type Shape } from '@duncan-mri/volume';

/** The smallest slice side the network takes: 2 pixels at 1/4 scale for its 3x3 reflection pads. */
const MIN_SLICE_SIDE = 8;

/**
 * Throws unless the slices of a volume of `shape` along `axis` are at least 8x8 voxels, the
 * smallest the DUNCAN network takes (two stride-2 convolutions, then 3x3 reflection pads at 1/4
 * scale). {@link correct} checks it; a program can check it before it loads a model or starts
 * workers. `axisName` names the axis option in the message (`--axis` on a command line).
 *
 * @example
 * ```ts
 * assertSliceSize(volume.shape, 2, 'myTool'); // before loading the model
 * ```
 * @throws MriError `INVALID_ARGUMENT` (argument `volume`) for slices under 8x8 voxels.
 */
export function assertSliceSize(
  shape: Shape,
  axis: 0 | 1 | 2,
  where: string,
  axisName = 'axis',
): void {
  const inPlane = shape.filter((_, i) => i !== axis);
  if (inPlane.some((d) => d < MIN_SLICE_SIDE)) {
    const named = axisName === 'axis' ? `axis ${axis}` : `${axisName} ${'xyz'[axis]}`;
    invalidArgument(
      where,
      `volume slices along ${named}`,
      `must be at least ${MIN_SLICE_SIDE}x${MIN_SLICE_SIDE} voxels`,
      undefined,
      { got: `${inPlane.join('x')} (volume ${shape.join('x')})`, argument: 'volume' },
    );
  }
}
