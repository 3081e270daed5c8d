import { describe, expect, it } from 'vitest';
import { isMriError, MriError } from './mri-error.js';
import { errorFromWire, errorMessage, errorToWire } from './wire-error.js';

describe('errorToWire and errorFromWire', () => {
  it('carry an MriError across structured cloning with its code, message and argument', () => {
    const error = new MriError('SHAPE_MISMATCH', 'ssim: test must have the shape [2, 2, 1]', {
      argument: 'test',
      cause: new Error('not sent'),
    });
    // What postMessage and worker_threads do to a message.
    const wire = structuredClone(errorToWire(error));
    const back = errorFromWire(wire, 'caller');
    expect(isMriError(back)).toBe(true);
    expect([back.code, back.message, back.argument]).toEqual([
      'SHAPE_MISMATCH',
      'ssim: test must have the shape [2, 2, 1]',
      'test',
    ]);
    const bare = errorFromWire(
      structuredClone(errorToWire(new MriError('IO_ERROR', 'x'))),
      'caller',
    );
    expect([bare.code, bare.message, bare.argument]).toEqual(['IO_ERROR', 'x', undefined]);
  });

  it('turns any other throw into an INTERNAL MriError naming the caller and what failed', () => {
    // An Error with a `code` of its own (a system error) is not an MriError.
    const system = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(errorToWire(system)).toEqual({
      message: 'no such file',
      code: undefined,
      argument: undefined,
    });
    const back = errorFromWire(structuredClone(errorToWire(system)), 'createCorrector');
    expect([back.code, back.message]).toEqual([
      'INTERNAL',
      'createCorrector: the worker failed: no such file',
    ]);
    expect(errorFromWire(errorToWire('Aborted()'), 'run', 'a correction worker').message).toBe(
      'run: a correction worker failed: Aborted()',
    );
  });

  it('gives the message of an ErrorEvent-like object, with its place, never [object ...]', () => {
    // What emscripten rethrows when a wasm thread's worker fails (an ErrorEvent; Node has none).
    const event = {
      message: 'Uncaught ReferenceError: e is not defined',
      filename: 'blob:http://127.0.0.1/abc',
      lineno: 1,
      toString: () => '[object ErrorEvent]',
    };
    expect(errorMessage(event)).toBe(
      'Uncaught ReferenceError: e is not defined (blob:http://127.0.0.1/abc:1)',
    );
    expect(errorToWire(event).message).toBe(errorMessage(event));
    // tfjs's { message } rejections, Errors and other values.
    const message = errorMessage;
    expect(message({ message: 'Make sure the server can serve the `.wasm` file' })).toBe(
      'Make sure the server can serve the `.wasm` file',
    );
    expect(message(new TypeError('bad'))).toBe('bad');
    expect(message('plain')).toBe('plain');
    expect(message({ message: '' })).toBe('an object');
    expect(message(new Map())).toBe('a Map');
  });
});
