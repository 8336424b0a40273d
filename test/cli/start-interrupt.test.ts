/**
 * `glance start` before it serves: a taken HTTP port is refused (CONFIG_INVALID naming the variables) before the model
 * is touched, and SIGTERM while the model is being prepared — downloading from a (stalled) fake Hub, or waiting for
 * another process's conversion — stops it at once with a non-zero exit and a line saying start-up was interrupted.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointFingerprint } from '../../src/models/converted-checkpoint.ts';
import { demoCheckpoint } from '../../src/models/demo/demo-checkpoint.ts';
import { demoRecipe } from '../../src/models/demo/demo-recipes.ts';
import { cleanEnv, spawnGlance } from '../helpers/run-glance.ts';
import { REPO, useTinyHub } from '../src/models/tiny-hub.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-start-interrupt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tinyHub = useTinyHub();

async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
}

describe('glance start, before serving', () => {
  it('refuses a port already in use with CONFIG_INVALID before preparing the model', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dataDir = join(work, 'port-data');
      const run = spawnGlance(['start', '--demo', '--port', String(port), '--data-dir', dataDir], { env: cleanEnv(), cwd: work });
      expect(await run.exited).toBe(1);
      const { stderr } = run.output();
      expect(stderr).toContain(`[CONFIG_INVALID]: The HTTP address 127.0.0.1:${port} (GLANCE_HTTP_HOST:GLANCE_HTTP_PORT) is already in use by another program`);
      expect(stderr).toContain('GLANCE_HTTP_PORT or --port');
      // Nothing was converted.
      expect(existsSync(join(dataDir, 'models'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('stops a download from the Hub on SIGTERM and exits non-zero saying start-up was interrupted', async () => {
    const { hub, downloadsOf } = tinyHub();
    hub.faults.stallOnce = { file: 'model.safetensors', afterBytes: 1000 };
    const dataDir = join(work, 'hub-data');
    const run = spawnGlance(['start', '--model', REPO, '--port', '0', '--data-dir', dataDir], { env: cleanEnv({ HF_ENDPOINT: hub.url }), cwd: work });
    // The weights' body has started (and stalls, the connection open).
    await until(() => downloadsOf('model.safetensors').length > 0 || run.child.exitCode !== null);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(1);
    const { stderr, stdout } = run.output();
    expect(stderr).toContain('[ABORTED]: start-up was interrupted by SIGTERM');
    expect(stdout).not.toContain('serving');
  });

  it('stops waiting for another process that is converting the model on SIGTERM', async () => {
    const dataDir = join(work, 'lock-data');
    const models = join(dataDir, 'models');
    mkdirSync(models, { recursive: true });
    // The demo checkpoint is made, and another glance process holds the conversion lock of its bundle (fresh, so not
    // taken over as stale).
    const checkpoint = await demoCheckpoint(dataDir, await demoRecipe('caption'));
    writeFileSync(join(models, `demo-tiny-blip2-opt-${await checkpointFingerprint(checkpoint)}.lock`), JSON.stringify({ pid: 1 }));
    const run = spawnGlance(['start', '--demo', '--port', '0', '--data-dir', dataDir], { env: cleanEnv({ GLANCE_LOG_LEVEL: 'info' }), cwd: work });
    await run.stdoutMatch(/waiting for another glance process/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain('[ABORTED]: start-up was interrupted by SIGTERM');
  });
});
