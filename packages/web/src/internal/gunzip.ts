import { MriError } from '@duncan-mri/volume';

/**
 * Inflates gzip with the browser's native `DecompressionStream('gzip')`, stopping with
 * `LIMIT_EXCEEDED` past `maxBytes`. Resolves `undefined` where the stream is missing or refuses
 * the data, so the caller can fall back to `@duncan-mri/io`'s own inflater (which then reports
 * a corrupt file precisely).
 */
export async function gunzipNative(
  where: string,
  bytes: Uint8Array,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if (typeof DecompressionStream === 'undefined') return undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new MriError(
          'LIMIT_EXCEEDED',
          `${where}: gzip data must inflate to at most limits.maxInflatedBytes = ${maxBytes} bytes, got more`,
          { argument: 'limits.maxInflatedBytes' },
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof MriError) throw error;
    return undefined;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
