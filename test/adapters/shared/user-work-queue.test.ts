import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { UserWorkQueue } from '../../../adapters/shared/user-work-queue.ts';

describe('UserWorkQueue', () => {
  it('runs one user’s jobs one at a time, in order, other users in parallel', async () => {
    const queue = new UserWorkQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('u1', async () => {
      log.push('u1 first start');
      await gate;
      log.push('u1 first end');
    });
    const second = queue.run('u1', async () => void log.push('u1 second'));
    await queue.run('u2', async () => void log.push('u2'));
    expect(log).toEqual(['u1 first start', 'u2']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['u1 first start', 'u2', 'u1 first end', 'u1 second']);
  });

  it('a failed job does not block the next; too many waiting jobs are refused with RATE_LIMITED', async () => {
    const queue = new UserWorkQueue(2);
    await expect(queue.run('u', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = queue.run('u', () => gate);
    const b = queue.run('u', async () => 'b');
    await expect(queue.run('u', async () => 'c')).rejects.toMatchObject({ code: ErrorCode.RateLimited });
    release();
    await a;
    expect(await b).toBe('b');
    expect(await queue.run('u', async () => 'd')).toBe('d');
  });
});
