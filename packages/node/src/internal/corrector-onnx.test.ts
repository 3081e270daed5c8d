import { fromBinary } from '@bufbuild/protobuf';
import { type CorrectorWeight, correctorWeights, type ModelConfig } from '@duncan-mri/core';
import { type ModelProto, ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { expectMriError } from '../../test/helpers.js';
import { readCheckpoint } from '../checkpoint-files.js';
import { CORRECTOR_ONNX_OPSET, correctorOnnx } from './corrector-onnx.js';

const bundled = correctorWeights(readCheckpoint());

function decode(bytes: Uint8Array): ModelProto {
  return fromBinary(ModelProtoSchema, bytes);
}

function opCounts(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of model.graph!.node) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}

function initializer(model: ModelProto, name: string) {
  const t = model.graph!.initializer.find((i) => i.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  const bytes = t.rawData.slice();
  return { dims: t.dims.map(Number), dataType: t.dataType, values: new Float32Array(bytes.buffer) };
}

/** Weights of the right shapes for `config`, from a config-shaped fake (values: the index). */
function fakeWeights(config: ModelConfig): Map<string, CorrectorWeight> {
  const c = config.channels;
  const shapes: Record<string, number[]> = {
    'contentEncoderA/stem/w': [7, 7, 1, c],
    'contentEncoderA/down1/w': [4, 4, c, 2 * c],
    'contentEncoderA/down2/w': [4, 4, 2 * c, 4 * c],
    'decoderF/up1/w': [5, 5, 4 * c, 2 * c],
    'decoderF/up2/w': [5, 5, 2 * c, c],
    'decoderF/out/w': [7, 7, c, 1],
    'decoderF/out/b': [1],
  };
  for (let r = 0; r < config.residualBlocks; r++) {
    shapes[`contentEncoderA/res${r}/conv1/w`] = [3, 3, 4 * c, 4 * c];
    shapes[`contentEncoderA/res${r}/conv2/w`] = [3, 3, 4 * c, 4 * c];
  }
  if (!config.outputNorm) shapes['decoderF/up2/b'] = [c];
  if (config.contentSkips) {
    shapes['decoderF/skip1/w'] = [1, 1, 4 * c, 2 * c];
    shapes['decoderF/skip1/b'] = [2 * c];
    shapes['decoderF/skip0/w'] = [1, 1, 2 * c, c];
    shapes['decoderF/skip0/b'] = [c];
  }
  return new Map(
    Object.entries(shapes).map(([name, shape]) => [
      name,
      {
        shape,
        values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i),
      },
    ]),
  );
}

describe('correctorOnnx', () => {
  it("writes the bundled model's corrector path: opset, input and output, and every layer", () => {
    const model = decode(correctorOnnx(bundled.config, bundled.weights));
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', CORRECTOR_ONNX_OPSET],
    ]);
    const graph = model.graph!;
    const dims = (v: (typeof graph.input)[number]) => {
      const t = v.type!.value;
      if (t.case !== 'tensorType') throw new Error('not a tensor');
      expect(t.value.elemType).toBe(TensorProto_DataType.FLOAT);
      return t.value.shape!.dim.map((d) => d.value.value);
    };
    expect(graph.input.map((v) => [v.name, dims(v)])).toEqual([
      ['x', ['n', 1n, 'height', 'width']],
    ]);
    expect(graph.output.map((v) => [v.name, dims(v)])).toEqual([
      ['y', ['n', 1n, 'height', 'width']],
    ]);
    // C = 16, R = 3, content skips, residual, outputNorm false: 9 convolutions in the encoder
    // (stem, 2 down, 2 per residual block) and 5 in decoder F (up1, skip1, up2, skip0, out); the
    // two 1x1 skip convolutions need no padding; InstanceNorm after every encoder convolution
    // and decoder F's up1; ReLU after each block but the second of a residual block, and after
    // up1, both skips and up2; 3 residual sums and the corrector's own.
    expect(opCounts(model)).toEqual({
      Pad: 12,
      Conv: 14,
      InstanceNormalization: 10,
      Relu: 10,
      Add: 4,
      Resize: 2,
      Concat: 2,
    });
    // The last node is the residual sum x + decoderF(...), and it writes the output.
    const last = graph.node.at(-1)!;
    expect([last.opType, last.input[0], last.output[0]]).toEqual(['Add', 'x', 'y']);
    // Every node's inputs are the graph input, an initialiser or an earlier node's output.
    const known = new Set(['x', '', ...graph.initializer.map((i) => i.name)]);
    for (const node of graph.node) {
      for (const input of node.input)
        expect(known.has(input), `${node.name} <- ${input}`).toBe(true);
      for (const output of node.output) known.add(output);
    }
  });

  it('writes the kernels OIHW, the biases as they are, and reflection pads of (k - 1) / 2', () => {
    const model = decode(correctorOnnx(bundled.config, bundled.weights));
    const stem = bundled.weights.get('contentEncoderA/stem/w')!; // [7, 7, 1, 16] HWIO
    const written = initializer(model, 'contentEncoderA/stem/w');
    expect(written.dims).toEqual([16, 1, 7, 7]);
    expect(written.dataType).toBe(TensorProto_DataType.FLOAT);
    // Element (y = 2, x = 5, in 0, out 11).
    expect(written.values[((11 * 1 + 0) * 7 + 2) * 7 + 5]).toBe(stem.values[(2 * 7 + 5) * 16 + 11]);
    const up1 = bundled.weights.get('decoderF/up1/w')!; // [5, 5, 64, 32]
    const up1Written = initializer(model, 'decoderF/up1/w');
    expect(up1Written.dims).toEqual([32, 64, 5, 5]);
    expect(up1Written.values[((7 * 64 + 40) * 5 + 4) * 5 + 1]).toBe(
      up1.values[((4 * 5 + 1) * 64 + 40) * 32 + 7],
    );
    expect(initializer(model, 'decoderF/out/b').values).toEqual(
      bundled.weights.get('decoderF/out/b')!.values,
    );
    const pads = model.graph!.node.filter((n) => n.opType === 'Pad');
    const widths = pads.map((p) => {
      const t = model.graph!.initializer.find((i) => i.name === p.input[1])!;
      expect(t.dataType).toBe(TensorProto_DataType.INT64);
      const v = new BigInt64Array(t.rawData.slice().buffer);
      expect([v[0], v[1], v[4], v[5]]).toEqual([0n, 0n, 0n, 0n]);
      return Number(v[2]);
    });
    // stem 3, down 1 and 1, residual 1 x 6, up1 2, up2 2, out 3.
    expect(widths).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3]);
    for (const p of pads)
      expect(p.attribute.find((a) => a.name === 'mode')!.s).toEqual(
        new TextEncoder().encode('reflect'),
      );
  });

  it('follows contentSkips, outputNorm and residual for older configurations', () => {
    const config = (over: Partial<ModelConfig>) =>
      ({ ...bundled.config, channels: 4, residualBlocks: 2, ...over }) as ModelConfig;
    const plain = config({ contentSkips: false, outputNorm: true, residual: false });
    const counts = opCounts(decode(correctorOnnx(plain, fakeWeights(plain))));
    // No skips (no Concat, two fewer convolutions), decoder F's up2 normalised, no final sum.
    expect(counts).toEqual({
      Pad: 10,
      Conv: 10,
      InstanceNormalization: 9,
      Relu: 7,
      Add: 2,
      Resize: 2,
    });
    const residual = config({ contentSkips: false, outputNorm: false, residual: true });
    const last = decode(correctorOnnx(residual, fakeWeights(residual))).graph!.node.at(-1)!;
    expect([last.opType, last.output[0]]).toEqual(['Add', 'y']);
  });

  it('refuses weights that do not fit the configuration with SHAPE_MISMATCH', async () => {
    const missing = new Map(bundled.weights);
    missing.delete('decoderF/skip0/b');
    const e = await expectMriError(() => correctorOnnx(bundled.config, missing), {});
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toMatch(/decoderF\/skip0\/b of shape \[16\].*got none/);
    const wider = { ...bundled.config, channels: 32 };
    expect((await expectMriError(() => correctorOnnx(wider, bundled.weights), {})).code).toBe(
      'SHAPE_MISMATCH',
    );
  });
});
