import { describe, expect, it } from 'vitest';
import { errorToWire, messageOf } from './protocol.js';

describe('messageOf', () => {
  it('gives the message of an ErrorEvent-like object, with its place, never [object ...]', () => {
    // What emscripten rethrows when a wasm thread's worker fails (an ErrorEvent; Node has none).
    const event = {
      message: 'Uncaught ReferenceError: e is not defined',
      filename: 'blob:http://127.0.0.1/abc',
      lineno: 1,
      toString: () => '[object ErrorEvent]',
    };
    expect(messageOf(event)).toBe(
      'Uncaught ReferenceError: e is not defined (blob:http://127.0.0.1/abc:1)',
    );
    expect(errorToWire(event).message).toBe(messageOf(event));
  });

  it("gives tfjs's { message } rejections, Errors and other values their text", () => {
    expect(messageOf({ message: 'Make sure the server can serve the `.wasm` file' })).toBe(
      'Make sure the server can serve the `.wasm` file',
    );
    expect(messageOf(new TypeError('bad'))).toBe('bad');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf({ message: '' })).toBe('an object');
  });
});
