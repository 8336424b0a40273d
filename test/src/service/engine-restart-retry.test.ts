/**
 * A crashed engine whose re-open fails is retried with backoff (the open function is injected: the first re-opens
 * fail as an out-of-memory or a missing GPU would): after two failed tries the third opens and the service serves
 * the golden caption again; when every try fails the service reports a fatal ENGINE_CRASHED once and refuses requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../../engine/engine.ts';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { GlanceService, type GlanceServiceOptions } from '../../../src/service/glance-service.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';
import { tinyServiceOptions } from '../../helpers/tiny-service.ts';

const golden: string = readJson(join(TINY_OPT, 'goldens.json')).images['astronaut.png'].generate.caption_greedy.outputs[0].text_stripped;
const astronaut = readFileSync(join(IMAGES, 'astronaut.png'));
let bundle: TinyBundle;
let user = 0;
const caption = (service: GlanceService) => service.run({ image: astronaut, userId: `u${++user}`, channelId: 'c', generation: { maxNewTokens: 20 } });

beforeAll(async () => {
  bundle = await convertTinyOpt();
});
afterAll(() => bundle?.cleanup());

/** Engine.open for the first open and after `failures` failed re-opens; the failures in between throw. */
function flakyOpen(failures: number): { open: (options: EngineOptions) => Promise<Engine>; calls: () => number } {
  let calls = 0;
  return {
    open: (options) => {
      calls++;
      if (calls > 1 && calls <= 1 + failures) return Promise.reject(new Error(`cannot allocate memory (try ${calls - 1})`));
      return Engine.open(options);
    },
    calls: () => calls,
  };
}

function start(extra: Partial<GlanceServiceOptions>): Promise<GlanceService> {
  return GlanceService.start(tinyServiceOptions(bundle.dir, { restartDelaysMs: [1, 1, 1, 1], ...extra }));
}

describe('engine restart retries', () => {
  it('retries a failed re-open with backoff: after two failures the engine opens and the service serves again', async () => {
    const open = flakyOpen(2);
    const fatal: GlanceError[] = [];
    const service = await start({ openEngine: open.open, onEngineFatal: (error) => fatal.push(error) });
    try {
      expect((await caption(service)).text).toBe(golden);
      await service.crashEngineForTest();
      // The request waits for the re-opened engine.
      expect((await caption(service)).text).toBe(golden);
      expect(open.calls()).toBe(4); // the first open, two failed re-opens, the good one
      expect(service.health()).toMatchObject({ ok: true, workerRestarts: 1 });
      expect(fatal).toEqual([]);
    } finally {
      await service.close({ graceMs: 0 });
    }
  });

  it('reports a fatal ENGINE_CRASHED once when every re-open fails, and refuses requests', async () => {
    const open = flakyOpen(Number.POSITIVE_INFINITY);
    let reportFatal!: (error: GlanceError) => void;
    const fatal = new Promise<GlanceError>((resolve) => (reportFatal = resolve));
    const service = await start({ openEngine: open.open, onEngineFatal: (error) => reportFatal(error), restartDelaysMs: [1, 1] });
    try {
      await service.crashEngineForTest();
      const error = await fatal;
      expect(error).toMatchObject({ code: ErrorCode.EngineCrashed, details: { tries: 3 } });
      expect(error.message).toContain('could not be re-opened (3 tries): cannot allocate memory (try 3)');
      expect(open.calls()).toBe(4);
      expect(service.health().ok).toBe(false);
      await expect(caption(service)).rejects.toMatchObject({ code: ErrorCode.EngineCrashed });
    } finally {
      await service.close({ graceMs: 0 });
    }
  });
});
