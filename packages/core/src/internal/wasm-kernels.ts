import * as tf from '@tensorflow/tfjs-core';

const MARK = Symbol.for('@duncan-mri/core/wasm-kernel');

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Conv2DAttrs = {
  strides: number | [number, number];
  pad:
    | 'valid'
    | 'same'
    | number
    | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function convInfo(
  inputShape: readonly number[],
  filterShape: readonly number[],
  attrs: Conv2DAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * `Conv2DBackpropFilter` as one convolution of transposed tensors: the batch becomes the
 * contraction channel and the stride becomes the dilation, so the whole product runs in
 * XNNPACK. Accuracy against cpu ≤ 1.1e-4 (research note, Q2, option (a)).
 */
export function conv2dBackpropFilter({ inputs, attrs }: KernelArgs): tf.Tensor {
  const x = inputs.x as tf.Tensor4D;
  const dy = inputs.dy as tf.Tensor4D;
  const a = attrs as unknown as Conv2DAttrs & { filterShape: [number, number, number, number] };
  if (a.dataFormat === 'NCHW') {
    throw new Error('Conv2DBackpropFilter (duncan-mri wasm kernel): NCHW is not supported');
  }
  const ci = convInfo(x.shape, a.filterShape, a);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = ci;
  const { top, bottom, left, right } = ci.padInfo;
  return tf.tidy(() => {
    const needH = (ci.outHeight - 1) * sh + kh;
    const needW = (ci.outWidth - 1) * sw + kw;
    let xp: tf.Tensor4D = x;
    if (top || bottom || left || right) {
      xp = tf.pad(x, [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ]);
    }
    if (xp.shape[1] > needH || xp.shape[2] > needW) {
      xp = tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
    }
    const xT = tf.transpose(xp, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    let r = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]);
    if (r.shape[1] !== kh || r.shape[2] !== kw) r = tf.slice(r, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

/**
 * `Conv2DBackpropInput` by phase (sub-pixel) decomposition: one XNNPACK convolution with a
 * rearranged filter plus a rank-4 interleave, 4 to 10x faster than the wasm backend's scalar
 * loop (research note, Q2). Square kernels and equal strides only; `undefined` otherwise.
 */
export function conv2dBackpropInputPhase({ inputs, attrs }: KernelArgs): tf.Tensor | undefined {
  const dy = inputs.dy as tf.Tensor4D;
  const filter = inputs.filter as tf.Tensor4D;
  const a = attrs as unknown as Conv2DAttrs & { inputShape: [number, number, number, number] };
  if (a.dataFormat === 'NCHW') return undefined;
  const ci = convInfo(a.inputShape, filter.shape, a);
  const { filterHeight: k, filterWidth: kw, strideHeight: s, strideWidth: sw } = ci;
  if (k !== kw || s !== sw) return undefined;
  const { inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = ci;
  const { outHeight: ho, outWidth: wo } = ci;
  const { top, left } = ci.padInfo;
  const m = Math.ceil(k / s);
  const vh = Math.ceil((h + top) / s);
  const vw = Math.ceil((w + left) / s);
  return tf.tidy(() => {
    let f: tf.Tensor = filter;
    if (s * m !== k) {
      f = tf.pad(filter, [
        [0, s * m - k],
        [0, s * m - k],
        [0, 0],
        [0, 0],
      ]);
    }
    const phaseFilter =
      s === 1
        ? tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2])
        : tf.reshape(
            tf.transpose(
              tf.reverse(tf.reshape(f, [m, s, m, s, cin, cout]), [0, 2]),
              [0, 2, 5, 1, 3, 4],
            ),
            [m, m, cout, s * s * cin],
          );
    const bh = vh - ho;
    const bw = vw - wo;
    let d = tf.pad(dy, [
      [0, 0],
      [m - 1, Math.max(0, bh)],
      [m - 1, Math.max(0, bw)],
      [0, 0],
    ]);
    if (bh < 0 || bw < 0) d = tf.slice(d, [0, 0, 0, 0], [-1, vh + m - 1, vw + m - 1, -1]);
    let z = tf.conv2d(d, phaseFilter as tf.Tensor4D, 1, 'valid');
    if (s > 1) {
      const n = dy.shape[0];
      z = tf.reshape(tf.transpose(tf.reshape(z, [n * vh, vw, s, s * cin]), [0, 2, 1, 3]), [
        n,
        vh * s,
        vw * s,
        cin,
      ]);
    }
    return tf.slice(z, [0, top, left, 0], [-1, h, w, -1]);
  });
}

function marked(config: tf.KernelConfig | undefined): boolean {
  return (
    config !== undefined && (config.kernelFunc as unknown as Record<symbol, unknown>)[MARK] === true
  );
}

function mark(fn: tf.KernelFunc): tf.KernelFunc {
  Object.defineProperty(fn, MARK, { value: true });
  return fn;
}

/**
 * Registers duncan-mri's `Conv2DBackpropFilter` (missing from tfjs-backend-wasm 4.22) and its
 * faster `Conv2DBackpropInput` for the `wasm` backend. Idempotent; affects no other backend.
 * The input-gradient override is installed only when the wasm backend's own kernel is
 * registered (it is kept as the fallback for non-square kernels).
 */
export function registerWasmKernels(): void {
  const bpf = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  if (bpf === undefined) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: mark(conv2dBackpropFilter as tf.KernelFunc),
    });
  }
  const bpi = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (bpi !== undefined && !marked(bpi)) {
    const original = bpi.kernelFunc;
    const kernelFunc = mark(((args: KernelArgs) => {
      return conv2dBackpropInputPhase(args) ?? original(args);
    }) as tf.KernelFunc);
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      kernelFunc,
      ...(bpi.setupFunc ? { setupFunc: bpi.setupFunc } : {}),
      ...(bpi.disposeFunc ? { disposeFunc: bpi.disposeFunc } : {}),
    });
  }
}

/**
 * Why training cannot work here, or `undefined`: gradients must be registered (the application
 * imports the `@tensorflow/tfjs` bundle, or tfjs-node; `@tensorflow/tfjs-core` alone has none).
 */
export function backendProblem(): string | undefined {
  if (tf.getGradient('Conv2D') === undefined) {
    return "tfjs gradients are not registered: import '@tensorflow/tfjs' (or @tensorflow/tfjs-node) in the application, with a single copy of @tensorflow/tfjs-core 4.22.0";
  }
  return undefined;
}
