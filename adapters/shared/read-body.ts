/**
 * A downloaded image's body, read within the size limit (GLANCE_MAX_IMAGE_MB): refused at once when the declared
 * Content-Length is over it, and while reading as soon as the bytes received pass it (the rest is not read).
 */
import { tooLarge } from './image-limits.ts';

export async function readBodyWithin(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(declared, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        await response.body.cancel().catch(() => {});
        throw tooLarge(undefined, maxBytes);
      }
      chunks.push(chunk);
    }
  }
  // One copy into a buffer of its own (not Buffer.concat + a copy: two copies of up to maxBytes per image).
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
