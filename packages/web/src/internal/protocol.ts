import type { CorrectOptions, ModelConfig } from '@duncan-mri/core';
import type { CompareImagesOptions } from '@duncan-mri/metrics';
import type { RecipeStep } from '@duncan-mri/simulate';
import { type Affine, createVolume, type Volume, type WireError } from '@duncan-mri/volume';
import type { UseWebBackendOptions, WebBackendInfo } from '../use-web-backend.js';

/** A volume as it crosses the worker boundary (structured clone; `data` is transferred). */
export interface WireVolume {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
  readonly affine: Affine;
}

/** What the corrector's worker knows about its model. */
export interface WorkerModelInfo {
  /** The model's configuration (channels, residual blocks, ...). */
  readonly config: ModelConfig;
  /** The seed its weights were initialised with. */
  readonly seed: number;
  /** Training steps applied to it (0: an untrained model). */
  readonly step: number;
  /** Trainable weights in total. */
  readonly parameterCount: number;
  /** URL models: whether the weights came from IndexedDB. */
  readonly fromCache: boolean;
  /** URL models: the version the cache compared. */
  readonly version: string | undefined;
}

export type ModelMessage =
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly cache: boolean;
      readonly version: string | undefined;
      readonly allowCrossOrigin: boolean;
    }
  | { readonly kind: 'checkpoint'; readonly manifest: unknown; readonly weights: Uint8Array };

export type Request =
  | { readonly type: 'init'; readonly model: ModelMessage; readonly backend: UseWebBackendOptions }
  | {
      readonly type: 'correct';
      readonly id: number;
      readonly volume: WireVolume;
      readonly options: Pick<
        CorrectOptions,
        'axis' | 'batchSize' | 'nonFinite' | 'flips' | 'shrinkage'
      >;
    }
  | {
      readonly type: 'simulate';
      readonly id: number;
      readonly volume: WireVolume;
      readonly recipe: readonly RecipeStep[];
      readonly seed: number;
    }
  | {
      readonly type: 'compare';
      readonly id: number;
      readonly reference: WireVolume;
      readonly test: WireVolume;
      readonly options: CompareImagesOptions;
    };

export type Reply =
  | { readonly type: 'ready'; readonly backend: WebBackendInfo; readonly model: WorkerModelInfo }
  | {
      readonly type: 'progress';
      readonly id: number;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | {
      readonly type: 'error';
      readonly id: number | 'init';
      readonly error: WireError;
      /**
       * init only: the backend could not start while the wasm backend was allowed threads; the
       * page may start a fresh worker without them.
       */
      readonly threadsMayBeTheCause?: boolean;
    };

export function toWire(volume: Volume, transfer: boolean, buffers: Transferable[]): WireVolume {
  const whole =
    volume.data.byteOffset === 0 && volume.data.byteLength === volume.data.buffer.byteLength;
  const data = transfer && whole ? volume.data : volume.data.slice();
  if (data.buffer instanceof ArrayBuffer && !buffers.includes(data.buffer))
    buffers.push(data.buffer);
  return { data, shape: volume.shape, affine: volume.affine };
}

export function fromWire(v: WireVolume): Volume {
  return createVolume({ data: v.data, shape: v.shape, affine: v.affine });
}
