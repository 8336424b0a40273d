import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { toHttpError } from '../../../adapters/http/http-errors.ts';

describe('error code → HTTP status', () => {
  const table: Array<[string, number, boolean]> = [
    [ErrorCode.Busy, 503, true],
    [ErrorCode.RateLimited, 429, true],
    [ErrorCode.DeadlineExceeded, 504, false],
    [ErrorCode.NoImage, 400, false],
    [ErrorCode.ModelKindMismatch, 400, false],
    [ErrorCode.EngineCrashed, 503, true],
    [ErrorCode.ImageTooLarge, 413, false],
    [ErrorCode.ImageUnsupported, 415, false],
    [ErrorCode.ImageCorrupt, 422, false],
    [ErrorCode.RemoteImageRefused, 403, false],
    [ErrorCode.RuntimeFailure, 500, false],
  ];
  for (const [code, status, retry] of table) {
    it(`${code} → ${status}${retry ? ' with Retry-After' : ''}`, () => {
      const mapped = toHttpError(new GlanceError(code as ErrorCode, 'message'));
      expect(mapped).toMatchObject({ status, code, message: 'message' });
      expect(mapped.retryAfterSeconds !== undefined).toBe(retry);
    });
  }

  it('takes Retry-After from the error when it knows the wait', () => {
    const error = new GlanceError(ErrorCode.RateLimited, 'too many', { reason: 'per-minute', retryAfterMs: 41_200 });
    expect(toHttpError(error)).toMatchObject({ status: 429, retryAfterSeconds: 42 });
  });

  it('maps fastify errors and hides unexpected ones', () => {
    expect(toHttpError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toHttpError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'bad json' })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: 'bad json' });
    expect(toHttpError(new TypeError('secret internals'))).toEqual({ status: 500, code: 'RUNTIME_FAILURE', message: 'internal error' });
  });
});
