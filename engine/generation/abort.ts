/**
 * Cancellation between decoding steps: a generation loop calls `throwIfAborted` before every model call so that an
 * aborted request stops with a coded `ABORTED` error instead of running to `maxNewTokens`.
 */
import { ErrorCode, GlanceError } from '../errors.ts';

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new GlanceError(ErrorCode.Aborted, 'Generation was aborted', undefined, { cause: signal.reason });
  }
}
