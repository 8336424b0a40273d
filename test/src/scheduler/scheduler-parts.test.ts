/**
 * The scheduler's small parts on their own: per-user admission, the micro-batcher gathering same-moment items,
 * round-robin fairness over channels with compatible batches, and deadline/abort errors.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { FairQueue } from '../../../src/scheduler/fair-queue.ts';
import { MicroBatcher } from '../../../src/scheduler/micro-batcher.ts';
import { MAX_DEADLINE_MS, RequestDeadline } from '../../../src/scheduler/request-deadline.ts';
import { UserRateLimiter } from '../../../src/scheduler/user-rate-limiter.ts';
import { optionsKey } from '../../../src/scheduler/generation-scheduler.ts';

describe('UserRateLimiter', () => {
  it('allows one request at a time per user and N per sliding minute', () => {
    let now = 0;
    const limiter = new UserRateLimiter({ perMinute: 2, now: () => now });
    const release = limiter.admit('ana');
    expect(() => limiter.admit('ana')).toThrow(expect.objectContaining({ code: ErrorCode.RateLimited }));
    limiter.admit('bo')(); // other users are independent
    release();
    limiter.admit('ana')();
    expect(() => limiter.admit('ana')).toThrow(expect.objectContaining({ code: ErrorCode.RateLimited, details: expect.objectContaining({ reason: 'per-minute' }) }));
    now = 60_000;
    limiter.admit('ana')();
  });

  it('allows maxRunning requests at a time per user', () => {
    const limiter = new UserRateLimiter({ perMinute: 100, maxRunning: 2 });
    const first = limiter.admit('ana');
    const second = limiter.admit('ana');
    expect(() => limiter.admit('ana')).toThrow(expect.objectContaining({ code: ErrorCode.RateLimited, details: expect.objectContaining({ reason: 'concurrent' }) }));
    first();
    first(); // releasing twice frees one place only
    const third = limiter.admit('ana');
    expect(() => limiter.admit('ana')).toThrow(expect.objectContaining({ code: ErrorCode.RateLimited }));
    second();
    third();
    limiter.admit('ana')();
  });

  it('forgets idle users as new ones arrive, so the memory stays bounded by the users of the last minute', () => {
    let now = 0;
    const limiter = new UserRateLimiter({ perMinute: 5, now: () => now });
    // 20 000 distinct users (client addresses), one request every 100 ms: about 600 were seen in any minute.
    for (let i = 0; i < 20_000; i++) {
      now = i * 100;
      limiter.admit(`10.0.${i >> 8}.${i & 255}`)();
    }
    expect(limiter.trackedUsers).toBeLessThan(2_500);
    // A user still within its minute is remembered: its per-minute count holds.
    for (let i = 0; i < 5; i++) limiter.admit('ana')();
    for (let i = 0; i < 3_000; i++) limiter.admit(`new-${i}`)();
    expect(() => limiter.admit('ana')).toThrow(expect.objectContaining({ details: expect.objectContaining({ reason: 'per-minute' }) }));
  });

  it('prune() drops users idle for a minute but keeps one with a request in progress', () => {
    let now = 0;
    const limiter = new UserRateLimiter({ perMinute: 5, now: () => now });
    limiter.admit('idle')();
    const release = limiter.admit('busy');
    now = 61_000;
    limiter.prune();
    expect(limiter.trackedUsers).toBe(1);
    release();
    limiter.prune();
    expect(limiter.trackedUsers).toBe(0);
  });
});

describe('MicroBatcher', () => {
  it('runs items submitted at the same moment as one batch, up to maxBatch', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>({ maxBatch: 3, run: async (inputs) => (batches.push(inputs), inputs.map((x) => x * 10)) });
    const results = await Promise.all([1, 2, 3, 4, 5].map((x) => batcher.submit(x)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('passes a failed batch error to every item of that batch only', async () => {
    const batcher = new MicroBatcher<number, number>({
      maxBatch: 2,
      run: async (inputs) => {
        if (inputs.includes(1)) throw new Error('boom');
        return inputs;
      },
    });
    const results = await Promise.allSettled([1, 2, 3].map((x) => batcher.submit(x)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});

describe('FairQueue', () => {
  it('takes round-robin over channels and only compatible items', () => {
    const queue = new FairQueue<{ id: string; key: string }>();
    const item = (id: string, key = 'a') => ({ id, key });
    for (const [channel, it] of [['busy', item('b1')], ['busy', item('b2')], ['busy', item('b3')], ['quiet', item('q1')], ['other', item('o1', 'z')]] as const) {
      queue.push(channel, it);
    }
    const same = (a: { key: string }, b: { key: string }) => a.key === b.key;
    expect(queue.takeBatch(2, same).map((x) => x.id)).toEqual(['b1', 'q1']);
    // 'busy' went to the back: 'other' leads now, with its incompatible item alone
    expect(queue.takeBatch(4, same).map((x) => x.id)).toEqual(['o1']);
    expect(queue.takeBatch(4, same).map((x) => x.id)).toEqual(['b2', 'b3']);
    expect(queue.size).toBe(0);
  });

  it('removes a cancelled item', () => {
    const queue = new FairQueue<string>();
    queue.push('c', 'x');
    expect(queue.remove('c', 'x')).toBe(true);
    expect(queue.remove('c', 'x')).toBe(false);
    expect(queue.takeBatch(4, () => true)).toEqual([]);
  });
});

describe('RequestDeadline', () => {
  it('tells cancellation from the deadline', async () => {
    const controller = new AbortController();
    const cancelled = new RequestDeadline(60_000, controller.signal);
    controller.abort();
    await expect(cancelled.whenEnded().ended).rejects.toMatchObject({ code: ErrorCode.Aborted });
    const late = new RequestDeadline(1);
    await expect(late.whenEnded().ended).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
    expect(() => new RequestDeadline(0)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });

  it('refuses a deadline longer than a Node.js timer can wait (it would fire after 1 ms) and keeps the longest one', async () => {
    expect(() => new RequestDeadline(2 ** 31)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => new RequestDeadline(Infinity)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    const longest = new RequestDeadline(MAX_DEADLINE_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(longest.signal.aborted).toBe(false);
  });
});

describe('optionsKey', () => {
  it('ignores key order and undefined values', () => {
    expect(optionsKey({ maxNewTokens: 5, numBeams: 2 })).toBe(optionsKey({ numBeams: 2, maxNewTokens: 5, topK: undefined }));
    expect(optionsKey({ maxNewTokens: 5 })).not.toBe(optionsKey({ maxNewTokens: 6 }));
  });
});
