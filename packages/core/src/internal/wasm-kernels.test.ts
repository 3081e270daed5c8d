import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, tf, useBackend } from '../../test/helpers.js';
import { registerWasmKernels } from './wasm-kernels.js';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: number;
  readonly co: number;
  readonly stride: 1 | 2;
  readonly pad: Pad;
}

const CASES: Case[] = [
  { name: 'k3 s1 same', x: [2, 9, 9, 3], k: 3, co: 4, stride: 1, pad: 'same' },
  { name: 'k3 s1 valid', x: [2, 9, 9, 3], k: 3, co: 4, stride: 1, pad: 'valid' },
  { name: 'k4 s2 valid', x: [3, 10, 10, 2], k: 4, co: 5, stride: 2, pad: 'valid' },
  { name: 'k4 s2 same odd', x: [2, 11, 9, 2], k: 4, co: 3, stride: 2, pad: 'same' },
  { name: 'k7 1->4', x: [1, 12, 12, 1], k: 7, co: 4, stride: 1, pad: 'valid' },
  {
    name: 'k5 4->1 explicit',
    x: [2, 8, 8, 4],
    k: 5,
    co: 1,
    stride: 1,
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
  },
  { name: 'k1', x: [2, 6, 6, 6], k: 1, co: 3, stride: 1, pad: 'valid' },
  { name: 'k4 s1 numeric pad 1', x: [2, 7, 7, 3], k: 4, co: 2, stride: 1, pad: 1 },
];

/** Gradients of sum(sin(conv2d(x, w))) with respect to x and w on the current backend. */
function grads(c: Case): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
    const w = tf.randomNormal([c.k, c.k, c.x[3], c.co], 0, 1, 'float32', 2);
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.sin(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad as 'same')));
    const [dx, dw] = tf.grads(f)([x, w]);
    return [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  });
}

describe('wasm training kernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmKernels();
  });

  it('registers Conv2DBackpropFilter and the phase Conv2DBackpropInput for wasm, idempotently', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const bpi = tf.getKernel('Conv2DBackpropInput', 'wasm');
    registerWasmKernels();
    registerWasmKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(bpi);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
  });

  for (const c of CASES) {
    it(`matches the cpu gradients: ${c.name}`, async () => {
      await useBackend('cpu');
      const [dxCpu, dwCpu] = grads(c);
      await useBackend('wasm');
      const [dxWasm, dwWasm] = grads(c);
      const scale = Math.max(1, ...Array.from(dwCpu, Math.abs));
      expect(maxAbsDiff(dwWasm, dwCpu) / scale).toBeLessThan(1e-5);
      expect(maxAbsDiff(dxWasm, dxCpu)).toBeLessThan(1e-4);
    });
  }

  it('leaks no tensor (engine leak check on)', () => {
    tf.env().set('IS_TEST', true);
    try {
      const before = tf.memory().numTensors;
      grads(CASES[3]!);
      grads(CASES[2]!);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.env().set('IS_TEST', false);
    }
  });
});
