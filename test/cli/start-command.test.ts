import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnGlance } from '../helpers/run-glance.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function start(args: string[], env: NodeJS.ProcessEnv) {
  const run = spawnGlance(['start', ...args], { env, cwd: work });
  const url = run.stdoutMatch(/serving \S+ at (http:\/\/\S+)/).then((match) => match[1]);
  url.catch(() => {}); // only the serving test awaits it
  return { ...run, url };
}

describe('glance start', () => {
  it('--demo serves the API on a free port, then shuts down gracefully on SIGTERM with exit code 0', async () => {
    const run = start(['--demo', '--port', '0', '--data-dir', join(work, 'data')], cleanEnv());
    const url = await run.url;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('--host 0.0.0.0 serves every address and links the playground on this machine (127.0.0.1), not 0.0.0.0', async () => {
    const run = start(['--demo', '--host', '0.0.0.0', '--port', '0', '--data-dir', join(work, 'data')], cleanEnv());
    const url = await run.url;
    const port = /^http:\/\/0\.0\.0\.0:(\d+)$/.exec(url)?.[1];
    expect(port).toBeDefined();
    expect(run.output().stdout).toContain(`at ${url} (every address of this machine; playground: http://127.0.0.1:${port}/, API: http://127.0.0.1:${port}/v1/…)`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('--demo wins over GLANCE_MODEL from the environment (a flag), saying so; --demo with --model is refused', async () => {
    const run = start(['--demo', '--port', '0'], cleanEnv({ GLANCE_MODEL: join(work, 'no-such-model'), GLANCE_DATA_DIR: join(work, 'data') }));
    const url = await run.url;
    expect(await (await fetch(`${url}/v1/models`)).json()).toMatchObject({ data: [{ id: 'demo/tiny-blip2-opt' }] });
    expect(run.output().stdout).toContain(`GLANCE_MODEL (${join(work, 'no-such-model')}) is not used this time`);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const both = start(['--demo', '--model', 'Salesforce/blip2-opt-2.7b', '--port', '0'], cleanEnv({ GLANCE_DATA_DIR: join(work, 'both') }));
    expect(await both.exited).toBe(1);
    expect(both.output().stderr).toMatch(/\[CONFIG_INVALID\].*--demo.*--model Salesforce\/blip2-opt-2\.7b/);
    expect(existsSync(join(work, 'both'))).toBe(false);
  });

  it('with no model says how to get one (MODEL_UNAVAILABLE) and exits non-zero', async () => {
    const run = start(['--port', '0'], cleanEnv({ GLANCE_DATA_DIR: join(work, 'empty') }));
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    expect(stderr).toContain('[MODEL_UNAVAILABLE]');
    expect(stderr).toContain('GLANCE_MODEL');
    expect(stderr).toContain('--demo');
    expect(existsSync(join(work, 'empty'))).toBe(false); // refused before the settings database is created
  });

  it('refuses an incomplete Slack configuration before loading the model, naming the variables', async () => {
    const run = start(['--demo', '--port', '0'], cleanEnv({ SLACK_BOT_TOKEN: 'xoxb-1', GLANCE_DATA_DIR: join(work, 'data') }));
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/\[CONFIG_INVALID\].*SLACK_APP_TOKEN.*SLACK_SIGNING_SECRET and SLACK_PORT/);
    expect(run.output().stderr).not.toMatch(/converting/);
  });

  it('stops on a bad configuration value naming the variable', async () => {
    const run = start(['--demo', '--port', 'http'], cleanEnv({ GLANCE_DATA_DIR: join(work, 'data') }));
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/\[CONFIG_INVALID\].*GLANCE_HTTP_PORT/);
  });
});
