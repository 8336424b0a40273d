/**
 * Image encoding runs under the requests' deadlines (real service, tiny OPT bundle): a request whose deadline passes
 * while its large image is being decoded and encoded fails with DEADLINE_EXCEEDED, the engine call is cancelled (its
 * embedding never reaches the cache), and the service serves the next request with the golden caption. A request
 * that shared that cancelled encoding (same image) encodes the image again under its own deadline.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { allAborted } from '../../../src/scheduler/all-aborted.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { blankPng } from '../../helpers/test-images.ts';
import { useTinyServiceBundle } from '../../helpers/tiny-service.ts';

const golden: string = readJson(join(TINY_OPT, 'goldens.json')).images['astronaut.png'].generate.caption_greedy.outputs[0].text_stripped;

const { service } = useTinyServiceBundle();

describe('vision deadline', () => {
  it('fails a request whose deadline passes during vision with DEADLINE_EXCEEDED and cancels the encoding', async () => {
    // 36 megapixels: decoding and resampling it takes far longer than the 5 ms deadline.
    const large = blankPng(6000, 6000);
    await expect(service().run({ image: large, userId: 'a', channelId: 'c', timeoutMs: 5 })).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
    // One vision batch runs at a time: this request's encoding starts after the cancelled one has ended.
    const next = await service().run({ image: readFileSync(join(IMAGES, 'astronaut.png')), userId: 'b', channelId: 'c', generation: { maxNewTokens: 20 } });
    expect(next.text).toBe(golden);
    // The cancelled encoding stored nothing: only the astronaut is cached.
    expect(service().health().cache.entries).toBe(1);
  });
});

describe('vision shared by requests for the same image', () => {
  it('encodes the image again for a request whose encoding was shared with one that ran out of time', async () => {
    const large = blankPng(6001, 6000);
    const before = service().engineCalls();
    const short = service().run({ image: large, userId: 'c', channelId: 'c', timeoutMs: 5 });
    const patient = service().run({ image: large, userId: 'd', channelId: 'c', generation: { maxNewTokens: 3 } });
    await expect(short).rejects.toMatchObject({ code: ErrorCode.DeadlineExceeded });
    const result = await patient;
    expect(result.cacheHit).toBe(false);
    expect(result.text).toEqual(expect.any(String));
    // The first encoding was cancelled with the request that started it; the patient request ran its own.
    expect(service().engineCalls().visionBatches - before.visionBatches).toBe(2);
  });
});

describe('allAborted', () => {
  it('fires once every signal has fired', () => {
    const a = new AbortController();
    const b = new AbortController();
    const all = allAborted([a.signal, b.signal]);
    a.abort();
    expect(all.signal.aborted).toBe(false);
    b.abort();
    expect(all.signal.aborted).toBe(true);
    all.dispose();
    expect(allAborted([a.signal]).signal.aborted).toBe(true);
  });
});
