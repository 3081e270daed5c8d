// The corrector path of a DUNCAN model as an ONNX model, written from the layer sequence of
// @duncan-mri/core's buildNetworks (internal/networks.ts and layers.ts there) and a
// checkpoint's weights, with nothing but the ONNX protobuf schema (onnx-buf on
// @bufbuild/protobuf). What it writes: translateF(contentEncoderA(x), x) on NCHW slices.
import { create, toBinary } from '@bufbuild/protobuf';
import type { CorrectorWeight, ModelConfig } from '@duncan-mri/core';
import { MriError } from '@duncan-mri/volume';
import {
  type AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProto_DataType,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';

/** The ONNX opset the model is written for (ONNX 1.12; ONNX Runtime 1.12 and later run it). */
export const CORRECTOR_ONNX_OPSET = 17;
/** The IR version of that opset's ONNX release. */
const IR_VERSION = 8n;
/** The names of the model's input and output: `[n, 1, height, width]` float32 each. */
export const CORRECTOR_ONNX_INPUT = 'x';
export const CORRECTOR_ONNX_OUTPUT = 'y';

type Attribute = number | string | readonly number[];

/** A graph under construction: nodes in order, initialisers by name. */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(
    private readonly where: string,
    private readonly weights: ReadonlyMap<string, CorrectorWeight>,
  ) {}

  /** Adds a node and returns the name of its (single) output. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}) {
    const output = `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push(
      create(NodeProtoSchema, {
        name: output,
        opType,
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return output;
  }

  /** Adds a float32 initialiser once and returns its name. */
  constant(name: string, dims: readonly number[], values: Float32Array): string {
    if (!this.names.has(name)) {
      this.names.add(name);
      this.initializers.push(tensor(name, dims, TensorProto_DataType.FLOAT, values));
    }
    return name;
  }

  /** An int64 initialiser (pads, for instance), added once. */
  int64(name: string, values: readonly number[]): string {
    if (!this.names.has(name)) {
      this.names.add(name);
      const data = BigInt64Array.from(values, (v) => BigInt(v));
      this.initializers.push(tensor(name, [values.length], TensorProto_DataType.INT64, data));
    }
    return name;
  }

  /** Makes `name` the output of the node that produces `value`. */
  rename(value: string, name: string): void {
    const producer = this.nodes.find((n) => n.output[0] === value)!;
    producer.output = [name];
  }

  /** A weight of the checkpoint, with the shape the architecture gives it. */
  weight(name: string, shape: readonly number[]): CorrectorWeight {
    const w = this.weights.get(name);
    if (
      w === undefined ||
      w.shape.length !== shape.length ||
      w.shape.some((d, i) => d !== shape[i])
    )
      throw new MriError(
        'SHAPE_MISMATCH',
        `${this.where}: weights must hold ${name} of shape [${shape.join(', ')}] for this config, got ${w === undefined ? 'none' : `[${w.shape.join(', ')}]`}`,
        { argument: 'weights' },
      );
    return w;
  }
}

function attribute(name: string, value: Attribute): AttributeProto {
  if (typeof value === 'string')
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.STRING,
      s: new TextEncoder().encode(value),
    });
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? create(AttributeProtoSchema, {
          name,
          type: AttributeProto_AttributeType.INT,
          i: BigInt(value),
        })
      : create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value });
  }
  return create(AttributeProtoSchema, {
    name,
    type: AttributeProto_AttributeType.INTS,
    ints: value.map((v) => BigInt(v)),
  });
}

function tensor(
  name: string,
  dims: readonly number[],
  dataType: TensorProto_DataType,
  values: Float32Array | BigInt64Array,
): TensorProto {
  // raw_data is little-endian, as typed arrays are on every platform Node supports.
  const bytes = new Uint8Array(values.byteLength);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return create(TensorProtoSchema, {
    name,
    dims: dims.map((d) => BigInt(d)),
    dataType,
    rawData: bytes,
  });
}

/** HWIO (`[k, k, in, out]`, tfjs) to OIHW (`[out, in, k, k]`, ONNX). */
function toOihw(w: CorrectorWeight): Float32Array {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + y) * kw + x] = w.values[((y * kw + x) * ci + i) * co + o]!;
  return out;
}

function valueInfo(name: string): ValueInfoProto {
  const dim = (d: string | number) =>
    typeof d === 'string'
      ? { value: { case: 'dimParam' as const, value: d } }
      : { value: { case: 'dimValue' as const, value: BigInt(d) } };
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: TensorProto_DataType.FLOAT,
          shape: { dim: ['n', 1, 'height', 'width'].map(dim) },
        },
      },
    },
  });
}

/**
 * The ONNX model (serialised `ModelProto`, opset {@link CORRECTOR_ONNX_OPSET}) of a DUNCAN
 * model's corrector path, `translateF(contentEncoderA(x), x)`: input `x` and output `y`, both
 * `[n, 1, height, width]` float32 with height and width multiples of 4 (one channel, so the
 * bytes of core's `[n, height, width]` slices). Layers as core's `buildNetworks`: reflection
 * padding then an unpadded convolution (kernels stored HWIO, written OIHW), InstanceNorm
 * without affine parameters (epsilon 1e-5: scale 1, bias 0), ReLU, nearest x2 upsampling, the
 * content skips (`config.contentSkips`), decoder F's last block (`config.outputNorm`) and the
 * residual sum (`config.residual`) as the config says.
 *
 * @throws MriError `SHAPE_MISMATCH` when `weights` lacks a weight of the configured
 * architecture or holds it in another shape.
 */
export function correctorOnnx(
  config: ModelConfig,
  weights: ReadonlyMap<string, CorrectorWeight>,
  where = 'correctorOnnx',
): Uint8Array {
  const g = new GraphBuilder(where, weights);
  const c = config.channels;
  const ones = (n: number) => g.constant(`ones_${n}`, [n], new Float32Array(n).fill(1));
  const zeros = (n: number) => g.constant(`zeros_${n}`, [n], new Float32Array(n));
  // Reflection by (k - 1) / 2 for odd kernels, by 1 for the 4x4 stride-2 ones (layers.ts conv).
  const conv = (
    x: string,
    name: string,
    k: number,
    ci: number,
    co: number,
    stride: 1 | 2,
    bias: boolean,
  ) => {
    const w = g.weight(`${name}/w`, [k, k, ci, co]);
    const inputs = [x, g.constant(`${name}/w`, [co, ci, k, k], toOihw(w))];
    if (bias) inputs.push(g.constant(`${name}/b`, [co], g.weight(`${name}/b`, [co]).values));
    const p = k % 2 === 1 ? (k - 1) / 2 : 1;
    if (p > 0)
      inputs[0] = g.node('Pad', [x, g.int64(`pads_${p}`, [0, 0, p, p, 0, 0, p, p])], {
        mode: 'reflect',
      });
    return g.node('Conv', inputs, { kernel_shape: [k, k], strides: [stride, stride] });
  };
  const instanceNorm = (x: string, channels: number) =>
    g.node('InstanceNormalization', [x, ones(channels), zeros(channels)], { epsilon: 1e-5 });
  const relu = (x: string) => g.node('Relu', [x]);
  const block = (x: string, name: string, k: number, ci: number, co: number, stride: 1 | 2) =>
    relu(instanceNorm(conv(x, name, k, ci, co, stride, false), co));
  // out[i] = in[floor(i / 2)]: tf.image.resizeNearestNeighbor without corner alignment.
  const scales = g.constant('scales_2x', [4], Float32Array.of(1, 1, 2, 2));
  const upsample = (x: string) =>
    g.node('Resize', [x, '', scales], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  const fuse = (x: string, a: string, name: string, ci: number, co: number) =>
    relu(conv(g.node('Concat', [x, a], { axis: 1 }), name, 1, ci, co, 1, true));

  const x = CORRECTOR_ONNX_INPUT;
  // Content encoder A: stem, two stride-2 convolutions, residual blocks at 1/4 scale.
  const e = 'contentEncoderA';
  const f0 = block(x, `${e}/stem`, 7, 1, c, 1);
  const f1 = block(f0, `${e}/down1`, 4, c, 2 * c, 2);
  let h = block(f1, `${e}/down2`, 4, 2 * c, 4 * c, 2);
  for (let r = 0; r < config.residualBlocks; r++) {
    const inner = block(h, `${e}/res${r}/conv1`, 3, 4 * c, 4 * c, 1);
    h = g.node('Add', [
      h,
      instanceNorm(conv(inner, `${e}/res${r}/conv2`, 3, 4 * c, 4 * c, 1, false), 4 * c),
    ]);
  }
  // Decoder F.
  const d = 'decoderF';
  h = block(upsample(h), `${d}/up1`, 5, 4 * c, 2 * c, 1);
  if (config.contentSkips) h = fuse(h, f1, `${d}/skip1`, 4 * c, 2 * c);
  h = config.outputNorm
    ? block(upsample(h), `${d}/up2`, 5, 2 * c, c, 1)
    : relu(conv(upsample(h), `${d}/up2`, 5, 2 * c, c, 1, true));
  if (config.contentSkips) h = fuse(h, f0, `${d}/skip0`, 2 * c, c);
  let y = conv(h, `${d}/out`, 7, c, 1, 1, true);
  if (config.residual) y = g.node('Add', [x, y]);
  g.rename(y, CORRECTOR_ONNX_OUTPUT);

  const model = create(ModelProtoSchema, {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: BigInt(CORRECTOR_ONNX_OPSET) }],
    producerName: '@duncan-mri/node',
    graph: create(GraphProtoSchema, {
      name: 'duncan-corrector',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(CORRECTOR_ONNX_INPUT)],
      output: [valueInfo(CORRECTOR_ONNX_OUTPUT)],
    }),
  });
  return toBinary(ModelProtoSchema, model);
}
