/** A checkpoint tensor (as float32) → the bytes of its stored parts in the weight file, for any WeightEncoding. */
import { GlanceError, ErrorCode } from '../../errors.ts';
import type { StoredWeight, WeightPart } from '../onnx/graph-builder.ts';
import { quantizeBlockwise } from './block-quantize.ts';
import { toBfloat16, toFloat16 } from './half-float.ts';

const bytesOf = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

export function encodeWeight(values: Float32Array, stored: StoredWeight): { part: WeightPart; bytes: Uint8Array }[] {
  const e = stored.encoding;
  switch (e.kind) {
    case 'float32':
      return [{ part: 'data', bytes: bytesOf(values) }];
    case 'float16': {
      const half = toFloat16(values);
      for (let i = 0; i < half.length; i++) {
        if ((half[i] & 0x7fff) === 0x7c00 && Number.isFinite(values[i])) {
          throw new GlanceError(ErrorCode.InvalidInput, `${stored.checkpointName} holds ${values[i]}, beyond float16's range (±65504), so it cannot be stored in float16. Convert with --dtype bf16 (same size, float32's range) or fp32.`, { tensor: stored.checkpointName, value: values[i] });
        }
      }
      return [{ part: 'data', bytes: bytesOf(half) }];
    }
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
