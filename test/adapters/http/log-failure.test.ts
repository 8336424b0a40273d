// How a failed HTTP request is logged: by where the fault lies, and a client that went away is not a server problem.
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../../adapters/http/http-errors.ts';
import { logFailure } from '../../../adapters/http/route-context.ts';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { createLogger } from '../../../src/log/logger.ts';

function logged(error: unknown, responseDestroyed: boolean): { level: number; msg: string; err?: unknown } {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } });
  const response = { destroyed: responseDestroyed } as ServerResponse;
  logFailure(createLogger('debug', stream), response, error, toHttpError(error), { route: '/v1/caption' });
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('logFailure', () => {
  it('logs a request cancelled because its client went away at debug, without a stack', () => {
    const line = logged(new GlanceError(ErrorCode.Aborted, 'the request was cancelled'), true);
    expect(line).toMatchObject({ level: 20, msg: 'the client went away; its request was cancelled', route: '/v1/caption' });
    expect(line.err).toBeUndefined();
  });

  it('warns about a cancellation the client did not cause (shutdown), and about 503/504', () => {
    expect(logged(new GlanceError(ErrorCode.Aborted, 'shutting down'), false).level).toBe(40);
    expect(logged(new GlanceError(ErrorCode.DeadlineExceeded, 'late'), true).level).toBe(40);
  });

  it('logs glance\'s own failures as errors with the details, the caller\'s mistakes at debug', () => {
    expect(logged(new TypeError('a bug'), false)).toMatchObject({ level: 50, msg: 'request failed', err: { message: 'a bug' } });
    expect(logged(new GlanceError(ErrorCode.InvalidInput, 'bad'), false)).toMatchObject({ level: 20, msg: 'bad' });
  });
});
