import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/glance.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'glance-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment without any GLANCE_*, platform or Hugging Face variables (the test's own are set explicitly). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(GLANCE_|DISCORD_|SLACK_|HF_)/.test(name)) env[name] = value;
  }
  return { ...env, GLANCE_LOG_LEVEL: 'warn', ...extra };
}

function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /serving \S+ at (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    exited.then((code) => reject(new Error(`glance start exited with ${code} before serving:\n${stderr}`)));
  });
  url.catch(() => {}); // only the serving test awaits it
  return { child, url, exited, output: () => ({ stdout, stderr }) };
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

  it('with no model says how to get one (MODEL_UNAVAILABLE) and exits non-zero', async () => {
    const run = start(['--port', '0'], cleanEnv({ GLANCE_DATA_DIR: join(work, 'empty') }));
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    expect(stderr).toContain('[MODEL_UNAVAILABLE]');
    expect(stderr).toContain('GLANCE_MODEL');
    expect(stderr).toContain('--demo');
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
