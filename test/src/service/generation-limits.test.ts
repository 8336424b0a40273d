/**
 * The server's caps on generation options (GLANCE_MAX_BEAMS, GLANCE_MAX_NEW_TOKENS) on the real service and the tiny
 * OPT bundle: a request over a cap is refused with GENERATION_INVALID_OPTION naming the cap before any engine work;
 * requests within the caps give transformers' goldens; a cap below the default length is the default length.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import type { ServiceRequest } from '../../../src/service/glance-service.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { useTinyServiceBundle } from '../../helpers/tiny-service.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
const golden = (run: string): { text_stripped: string; sequence: number[] } => goldens.images['astronaut.png'].generate[run].outputs[0];
const astronaut = readFileSync(join(IMAGES, 'astronaut.png'));

let user = 0;
const request = (generation: Record<string, unknown>): ServiceRequest => ({ image: astronaut, userId: `u${++user}`, channelId: 'c', generation });

const { service } = useTinyServiceBundle({
  // 20 new tokens: below the default 30, and the length of transformers' goldens.
  generationLimits: { maxBeams: 3, maxNewTokens: 20 },
});

describe('generation limits', () => {
  it('refuses more beams than the server allows, naming the limit, before any engine work', async () => {
    const before = service().engineCalls();
    const refused = service().run(request({ numBeams: 5000 }));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.GenerationInvalidOption, details: { option: 'numBeams', limit: 3 } });
    await expect(refused).rejects.toThrow('numBeams 5000 is more than this server allows (3)');
    expect(service().engineCalls()).toEqual(before);
    expect(service().health().cache.entries).toBe(0);
  });

  it('refuses more new tokens than the server allows, naming the limit', async () => {
    const refused = service().run(request({ maxNewTokens: 21 }));
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.GenerationInvalidOption, details: { option: 'maxNewTokens', limit: 20 } });
    await expect(refused).rejects.toThrow('maxNewTokens 21 is more than this server allows (20)');
  });

  it('still refuses invalid options with their own message', async () => {
    await expect(service().run(request({ numBeams: 0 }))).rejects.toMatchObject({ code: ErrorCode.GenerationInvalidOption, message: expect.stringContaining('"numBeams"') });
  });

  it('runs requests at the limits: beam search with the most beams gives the golden', async () => {
    const result = await service().run(request({ numBeams: 3, maxNewTokens: 20 }));
    expect(result.sequence).toEqual(golden('caption_beam3').sequence);
  });

  it('uses a new-token cap below the default length as the length of a request that gives none', async () => {
    const result = await service().run(request({}));
    expect(result.text).toBe(golden('caption_greedy').text_stripped);
    expect(result.sequence).toEqual(golden('caption_greedy').sequence);
  });
});
