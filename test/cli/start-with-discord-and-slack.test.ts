// `glance start --model <tiny fixture>` with both DISCORD_TOKEN and SLACK_BOT_TOKEN + SLACK_APP_TOKEN runs the HTTP API, the Discord
// bot and the Slack app in one process (against the fake Discord and the fake Slack), answers a question on each
// platform with the golden VQA answer, and shuts down gracefully on SIGTERM (exit code 0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASTRONAUT, GOLDEN_ANSWER, QUESTION } from '../helpers/chat-test-service.ts';
import { FakeDiscord } from '../helpers/fake-discord/fake-discord.ts';
import { FakeSlack } from '../helpers/fake-slack/fake-slack.ts';
import { IMAGES, TINY_OPT } from '../helpers/fixtures.ts';
import { cleanEnv, spawnGlance } from '../helpers/run-glance.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-both-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let tries = 0; tries < 400; tries++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('glance start with Discord and Slack tokens', () => {
  it('runs the Discord bot and the Slack app in one process beside the HTTP API; each answers a question', async () => {
    const discord = await FakeDiscord.start();
    const slack = await FakeSlack.start();
    try {
      const env = cleanEnv({
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_MEDIA_HOSTS: discord.cdnHost,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        SLACK_FILE_HOSTS: slack.fileHost,
      });
      const started = spawnGlance(['start', '--model', TINY_OPT, '--port', '0', '--data-dir', join(work, 'data')], { env, cwd: work });
      await started.stdoutMatch(/running .*Discord bot.*Slack app|running .*Slack app.*Discord bot/);
      await discord.waitForReady();
      await slack.waitForSocket();

      await discord.postMessage({ channelId: '4001', author: { id: '5001', username: 'alice' }, mentionBot: true, content: QUESTION, attachments: [{ filename: 'astronaut.png', bytes: ASTRONAUT, contentType: 'image/png', width: 512, height: 512 }] });
      const onDiscord = await until(() => discord.botMessages('4001').find((m) => !m.content.endsWith('…'))?.content, 'the Discord answer');
      expect(onDiscord.startsWith(`Answer (glance): ${GOLDEN_ANSWER}`)).toBe(true);

      const file = slack.addFile({ name: 'astronaut.png', bytes: readFileSync(join(IMAGES, 'astronaut.png')), mimetype: 'image/png' });
      const event = slack.mentionEvent({ channel: 'C0001', user: 'U0ALICE', text: QUESTION, files: [file] });
      await slack.sendSocket(event);
      const onSlack = await until(() => slack.botMessages('C0001').find((m) => m.thread_ts === event.event.ts && !m.text.endsWith('…'))?.text, 'the Slack answer');
      expect(onSlack.startsWith(`Answer (glance): ${GOLDEN_ANSWER}`)).toBe(true);

      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      await discord.close();
      await slack.close();
    }
  });
});
