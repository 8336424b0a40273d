/**
 * The supervisor keeps an engine serving: killing the worker thread fails the call in flight with ENGINE_CRASHED,
 * a fresh engine is opened, the restart is counted, and the next call gives the golden caption again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { EngineSupervisor } from '../../../src/service/engine-supervisor.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';

const golden = readJson(join(TINY_OPT, 'goldens.json')).images['astronaut.png'].generate.caption_greedy.outputs[0];
const astronaut = readFileSync(join(IMAGES, 'astronaut.png'));
let bundle: TinyBundle;
let supervisor: EngineSupervisor;
const restarts: Array<{ restarts: number; error?: Error }> = [];

beforeAll(async () => {
  bundle = await convertTinyOpt();
  supervisor = await EngineSupervisor.start({ bundleDir: bundle.dir, provider: 'cpu', threads: 1, onRestart: (outcome) => restarts.push(outcome) });
});

afterAll(async () => {
  await supervisor?.close();
  bundle?.cleanup();
});

async function caption(): Promise<string> {
  const [image] = await supervisor.encodeImages([astronaut]);
  const [output] = await supervisor.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 20 });
  return output.text;
}

describe('EngineSupervisor', () => {
  it('restarts a crashed worker: the call in flight fails with ENGINE_CRASHED, the next one succeeds', async () => {
    expect(await caption()).toBe(golden.text_stripped);
    const [image] = await supervisor.encodeImages([astronaut]);
    let crashed = false;
    const long = supervisor.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 2000, minNewTokens: 2000 }, {
      onToken: () => {
        if (crashed) return;
        crashed = true;
        void supervisor.crashForTest();
      },
    });
    await expect(long).rejects.toMatchObject({ code: ErrorCode.EngineCrashed });
    expect(supervisor.restarts).toBe(1);
    expect(supervisor.available).toBe(false);
    expect(await caption()).toBe(golden.text_stripped);
    expect(restarts).toEqual([{ restarts: 1 }]);
    expect(supervisor.available).toBe(true);
  });

  it('refuses calls after close with ABORTED', async () => {
    await supervisor.close();
    await expect(supervisor.encodeImages([astronaut])).rejects.toMatchObject({ code: ErrorCode.Aborted });
  });
});
