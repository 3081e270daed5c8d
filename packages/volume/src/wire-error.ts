import { describeValue, isMriError, MriError, type MriErrorCode } from './mri-error.js';

/**
 * An error as it crosses a worker boundary (`postMessage` of a Web Worker, `worker_threads`):
 * plain data, since structured cloning keeps neither an {@link MriError}'s class nor its fields.
 * `code` (and `argument`) are set exactly when the error was an `MriError`.
 */
export interface WireError {
  /** The error's message (for a thrown non-error, a description of it). */
  readonly message: string;
  /** The `MriError`'s code; undefined for any other throw. */
  readonly code: MriErrorCode | undefined;
  /** The `MriError`'s argument, when it names one. */
  readonly argument: string | undefined;
}

/**
 * The message of anything thrown: an `Error`'s message; for an object with a non-empty string
 * `message` (an `ErrorEvent` rethrown from a nested worker, tfjs's `{ message }` rejections) that
 * message, with the script's place when it has one; any other object described (`an object`,
 * `a Foo`); anything else `String(thrown)`. Never `[object ...]`.
 *
 * @example
 * ```ts
 * try { await tf.setBackend('webgpu'); } catch (e) { console.warn(errorMessage(e)); }
 * ```
 */
export function errorMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'object' && thrown !== null) {
    const { message, filename, lineno } = thrown as {
      message?: unknown;
      filename?: unknown;
      lineno?: unknown;
    };
    if (typeof message === 'string' && message !== '') {
      const where =
        typeof filename === 'string' && filename !== ''
          ? ` (${filename}${typeof lineno === 'number' ? `:${lineno}` : ''})`
          : '';
      return `${message}${where}`;
    }
    return describeValue(thrown);
  }
  return String(thrown);
}

/**
 * What a worker posts for anything it caught: an {@link MriError} keeps its code, message and
 * argument; anything else (an `Error`, an `ErrorEvent`, a string) becomes its message. The
 * other side rebuilds the error with {@link errorFromWire}.
 *
 * @example
 * ```ts
 * try { await work(); } catch (error) { postMessage({ type: 'error', error: errorToWire(error) }); }
 * ```
 */
export function errorToWire(error: unknown): WireError {
  if (isMriError(error))
    return { message: error.message, code: error.code, argument: error.argument };
  return { message: errorMessage(error), code: undefined, argument: undefined };
}

/**
 * The error a caller throws for a {@link WireError} its worker posted: the worker's
 * {@link MriError} again (same code, message and argument), or, for anything else the worker
 * threw, an `INTERNAL` MriError `<where>: <worker> failed: <message>`.
 *
 * @param where - The caller's function, first in the message of an `INTERNAL` error.
 * @param worker - What failed, in that message. Default `'the worker'`.
 * @example
 * ```ts
 * worker.on('message', (m) => { if (m.type === 'error') reject(errorFromWire(m.error, 'run')); });
 * ```
 */
export function errorFromWire(wire: WireError, where: string, worker = 'the worker'): MriError {
  if (wire.code !== undefined) {
    return new MriError(
      wire.code,
      wire.message,
      wire.argument === undefined ? {} : { argument: wire.argument },
    );
  }
  return new MriError('INTERNAL', `${where}: ${worker} failed: ${wire.message}`);
}
