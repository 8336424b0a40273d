/**
 * GLANCE_USER_MAX_RUNNING on the real service (tiny OPT bundle): with 2, one user's two concurrent requests both run
 * (in one generation batch, each equal to transformers' golden) and a third at the same time is RATE_LIMITED.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { useTinyServiceBundle } from '../../helpers/tiny-service.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const golden = (image: string): string => goldens.images[image].generate.caption_greedy.outputs[0].text_stripped;
const image = (name: string): Uint8Array => readFileSync(join(IMAGES, name));


const { service } = useTinyServiceBundle({
  queue: { maxQueued: 8, maxBatch: 8, perUserPerMinute: 100, maxRunningPerUser: 2, deadlineMs: 60_000 },
});

describe('per-user concurrency', () => {
  it('runs maxRunningPerUser requests of one user at once, batched together, and refuses one more', async () => {
    const ask = (name: string) => service().run({ image: image(name), userId: '192.0.2.7', channelId: 'api', generation: { maxNewTokens: 20 } });
    const settled = await Promise.allSettled([ask('astronaut.png'), ask('chelsea.png'), ask('rocket.jpg')]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { text: golden('astronaut.png'), batchSize: 2 } });
    expect(settled[1]).toMatchObject({ status: 'fulfilled', value: { text: golden('chelsea.png'), batchSize: 2 } });
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.RateLimited, details: { reason: 'concurrent' } } });
    expect((settled[2] as PromiseRejectedResult).reason.message).toBe('you already have 2 requests in progress; wait for one to finish');
    // Both places are free again.
    const again = await Promise.all([ask('rocket.jpg'), ask('astronaut.png')]);
    expect(again.map((result) => result.text)).toEqual([golden('rocket.jpg'), golden('astronaut.png')]);
  });
});
