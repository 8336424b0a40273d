// `glance start --demo` with DISCORD_TOKEN runs the HTTP adapter and the Discord bot (against the fake Discord),
// says so, answers a mention, and shuts down gracefully on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../../helpers/fake-discord/fake-discord.ts';
import { ALICE, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost } from './discord-test-bot.ts';

const BIN = fileURLToPath(new URL('../../../bin/glance.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'glance-discord-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('glance start with DISCORD_TOKEN', () => {
  it('runs the HTTP API and the Discord bot, says what works without MessageContent, answers, and stops on SIGTERM', async () => {
    const fake = await FakeDiscord.start();
    try {
      const env: NodeJS.ProcessEnv = {};
      for (const [name, value] of Object.entries(process.env)) if (!/^(GLANCE_|DISCORD_|SLACK_|HF_)/.test(name)) env[name] = value;
      Object.assign(env, {
        GLANCE_LOG_LEVEL: 'warn',
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_MEDIA_HOSTS: fake.cdnHost,
        DISCORD_MESSAGE_CONTENT: 'false',
      });
      const child = spawn(process.execPath, [BIN, 'start', '--demo', '--port', '0', '--data-dir', join(work, 'data')], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => /running .*Discord bot/.test(stdout) && resolve());
        exited.then((code) => reject(new Error(`glance start exited with ${code}:\n${stderr}`)));
      });
      expect(stdout).toMatch(/glance: serving \S+ at http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/glance: running the HTTP playground and API and the Discord bot glance/);
      expect(stdout).toMatch(/DISCORD_MESSAGE_CONTENT is false, so automatic alt text is off .*@mentions/);
      const url = /serving \S+ at (http:\/\/\S+)/.exec(stdout)![1];
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await fake.postMessage({ channelId: '4001', author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
      await nextBotPost(fake, '4001');
      expect(lastBotText(fake, '4001')).toMatch(/^Answer \(glance\): \S/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
