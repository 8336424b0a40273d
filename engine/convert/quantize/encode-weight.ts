/** A checkpoint tensor (as float32) → the bytes of its stored parts in the weight file, for any WeightEncoding. */
import type { StoredWeight, WeightPart } from '../onnx/graph-builder.ts';
import { quantizeBlockwise } from './block-quantize.ts';
import { toBfloat16, toFloat16 } from './half-float.ts';

const bytesOf = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

export function encodeWeight(values: Float32Array, stored: StoredWeight): { part: WeightPart; bytes: Uint8Array }[] {
  const e = stored.encoding;
  switch (e.kind) {
    case 'float32':
      return [{ part: 'data', bytes: bytesOf(values) }];
    case 'float16':
      return [{ part: 'data', bytes: bytesOf(toFloat16(values)) }];
    case 'bfloat16':
      return [{ part: 'data', bytes: bytesOf(toBfloat16(values)) }];
    case 'nbits': {
      if (stored.shape.length !== 2) throw new Error(`${stored.checkpointName}: only 2-D weights can be block-quantized`);
      const [n, k] = stored.shape;
      const q = quantizeBlockwise(values, n, k, e.bits, e.blockSize);
      return [
        { part: 'data', bytes: q.packed },
        { part: 'scales', bytes: bytesOf(q.scales) },
        { part: 'zero_points', bytes: q.zeroPoints },
      ];
    }
  }
}
