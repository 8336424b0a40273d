import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { CODE_ANSWERS, errorBody, toHttpError } from '../../../adapters/http/http-errors.ts';

describe('error code → HTTP status and message', () => {
  const table: Array<[string, number, boolean]> = [
    [ErrorCode.Busy, 503, true],
    [ErrorCode.RateLimited, 429, true],
    [ErrorCode.DeadlineExceeded, 504, false],
    [ErrorCode.NoImage, 400, false],
    [ErrorCode.EngineCrashed, 503, true],
    [ErrorCode.ImageTooLarge, 413, false],
    [ErrorCode.ImageUnsupported, 415, false],
    [ErrorCode.ImageCorrupt, 422, false],
    [ErrorCode.RemoteImageRefused, 403, false],
    [ErrorCode.RuntimeFailure, 500, false],
    [ErrorCode.ModelUnavailable, 503, true],
  ];
  for (const [code, status, retry] of table) {
    it(`${code} → ${status}${retry ? ' with Retry-After' : ''}`, () => {
      const mapped = toHttpError(new GlanceError(code as ErrorCode, 'message'));
      expect(mapped).toMatchObject({ status, code });
      expect(mapped.retryAfterSeconds !== undefined).toBe(retry);
    });
  }

  it('answers every error code with a status and a message; fixed messages say what to do', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(CODE_ANSWERS[code], code).toBeDefined();
      const mapped = toHttpError(new GlanceError(code, 'the service said this'));
      expect(mapped.code).toBe(code);
      expect(mapped.status, code).toBeGreaterThanOrEqual(400);
      expect(mapped.status, code).toBeLessThan(600);
      if (CODE_ANSWERS[code].message === undefined) {
        expect(mapped.message, code).toBe('the service said this');
      } else {
        expect(mapped.message, code).toMatch(/try again|tell the operator|send it again/);
        expect(mapped.message, code).not.toMatch(/GLANCE_/);
      }
    }
  });

  it('keeps the code, says what to do, and gives the service\'s words as detail where they help', () => {
    const deadline = toHttpError(new GlanceError(ErrorCode.DeadlineExceeded, 'the request did not finish within 60000 ms'));
    expect(deadline.message).toContain('fewer new tokens');
    expect(errorBody(deadline)).toEqual({ error: { code: 'DEADLINE_EXCEEDED', message: deadline.message, detail: 'the request did not finish within 60000 ms' } });
    const crash = toHttpError(new GlanceError(ErrorCode.EngineCrashed, 'the engine worker exited (code 1)'));
    expect(crash.message).toContain('try again in a few seconds');
    expect(errorBody(crash).error).not.toHaveProperty('detail');
    const setup = toHttpError(new GlanceError(ErrorCode.BundleInvalid, '/srv/models/x/manifest.json is invalid'));
    expect(setup).toMatchObject({ status: 500, code: 'BUNDLE_INVALID' });
    expect(JSON.stringify(errorBody(setup))).not.toContain('/srv/models');
    expect(errorBody(toHttpError(new GlanceError(ErrorCode.InvalidInput, 'max_tokens must be a number')))).toEqual({ error: { code: 'INVALID_INPUT', message: 'max_tokens must be a number' } });
  });

  it('takes Retry-After from the error when it knows the wait', () => {
    const error = new GlanceError(ErrorCode.RateLimited, 'too many', { reason: 'per-minute', retryAfterMs: 41_200 });
    expect(toHttpError(error)).toMatchObject({ status: 429, retryAfterSeconds: 42 });
  });

  it('maps fastify errors and hides unexpected ones', () => {
    expect(toHttpError({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toHttpError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'bad json' })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: 'bad json' });
    const hidden = toHttpError(new TypeError('secret internals'));
    expect(hidden).toMatchObject({ status: 500, code: 'RUNTIME_FAILURE' });
    expect(hidden.message).not.toContain('secret');
  });

  it('maps the multipart file, field and part limits to 400 INVALID_INPUT, not a body-size 413', () => {
    expect(toHttpError({ statusCode: 413, code: 'FST_FILES_LIMIT', message: 'reach files limit' })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: expect.stringContaining('one image per request') });
    expect(toHttpError({ statusCode: 413, code: 'FST_FIELDS_LIMIT', message: 'reach fields limit' })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: expect.stringContaining('too many form fields') });
    expect(toHttpError({ statusCode: 413, code: 'FST_PARTS_LIMIT', message: 'reach parts limit' })).toMatchObject({ status: 400, code: 'INVALID_INPUT', message: expect.stringContaining('too many form fields') });
    expect(toHttpError({ statusCode: 413, code: 'FST_REQ_FILE_TOO_LARGE', message: 'x' })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
