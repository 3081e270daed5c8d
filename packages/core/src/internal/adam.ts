import * as tf from '@tensorflow/tfjs-core';

/** Adam's state for a fixed, ordered list of variables: step count and both moments. */
export interface AdamState {
  /** Updates applied so far. */
  step: number;
  readonly m: Map<string, tf.Variable>;
  readonly v: Map<string, tf.Variable>;
}

/** Zero moments for each named variable. */
export function createAdamState(
  variables: ReadonlyArray<readonly [string, tf.Variable]>,
  prefix: string,
): AdamState {
  const m = new Map<string, tf.Variable>();
  const v = new Map<string, tf.Variable>();
  for (const [name, variable] of variables) {
    for (const [map, kind] of [
      [m, 'm'],
      [v, 'v'],
    ] as const) {
      const zeros = tf.zerosLike(variable);
      map.set(name, tf.variable(zeros, false, `${prefix}/${kind}/${name}`));
      zeros.dispose();
    }
  }
  return { step: 0, m, v };
}

/** Hyper-parameters of {@link adamUpdate}. */
export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/**
 * One Adam update (Kingma & Ba 2015) with bias correction computed from the step count, so a
 * restored state resumes bit for bit (tfjs's own Adam recomputes its accumulated betas on
 * `setWeights` and drifts by an ulp: research note, Q4).
 */
export function adamUpdate(
  state: AdamState,
  variables: ReadonlyArray<readonly [string, tf.Variable]>,
  grads: ReadonlyMap<string, tf.Tensor>,
  settings: AdamSettings,
): void {
  state.step += 1;
  const { beta1, beta2, epsilon, learningRate } = settings;
  const c1 = 1 - beta1 ** state.step;
  const c2 = 1 - beta2 ** state.step;
  tf.tidy(() => {
    for (const [name, variable] of variables) {
      const g = grads.get(name);
      const m = state.m.get(name);
      const v = state.v.get(name);
      if (g === undefined || m === undefined || v === undefined) continue;
      const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      m.assign(m1);
      v.assign(v1);
      const update = tf.div(
        tf.mul(m1, learningRate / c1),
        tf.add(tf.sqrt(tf.div(v1, c2)), epsilon),
      );
      variable.assign(tf.sub(variable, update));
    }
  });
}

/**
 * Adds one image's gradients into the running sums of a batch, by variable name, disposing the
 * consumed tensors (the batch gradient is accumulated one image at a time to bound memory).
 */
export function accumulateGradients(
  sums: Map<string, tf.Tensor>,
  variables: ReadonlyArray<readonly [string, tf.Variable]>,
  grads: tf.NamedTensorMap,
): void {
  for (const [name, v] of variables) {
    const g = grads[v.name];
    if (g === undefined) continue;
    const previous = sums.get(name);
    if (previous === undefined) {
      sums.set(name, g);
    } else {
      sums.set(name, tf.add(previous, g));
      tf.dispose([previous, g]);
    }
  }
}
