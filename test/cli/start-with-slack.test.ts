// `glance start --model <tiny fixture>` with SLACK_BOT_TOKEN + SLACK_APP_TOKEN runs the HTTP adapter and the Slack app in Socket Mode
// (against the fake Slack), says so, survives a malformed envelope that makes the Socket Mode library reject with
// nobody listening, answers a mention with the golden VQA answer in its thread, and shuts down gracefully on
// SIGTERM (exit code 0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMAGES, TINY_OPT, readJson } from '../helpers/fixtures.ts';
import { FakeSlack } from '../helpers/fake-slack/fake-slack.ts';
import { cleanEnv, spawnGlance } from '../helpers/run-glance.ts';

const work = mkdtempSync(join(tmpdir(), 'glance-slack-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const goldens = readJson(join(TINY_OPT, 'goldens.json'));

describe('glance start with SLACK_BOT_TOKEN and SLACK_APP_TOKEN', () => {
  it('runs the HTTP API and the Slack app in Socket Mode, answers a mention in its thread, and stops on SIGTERM', async () => {
    const fake = await FakeSlack.start();
    try {
      const env = cleanEnv({ SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl, SLACK_FILE_HOSTS: fake.fileHost });
      const started = spawnGlance(['start', '--model', TINY_OPT, '--port', '0', '--data-dir', join(work, 'data')], { env, cwd: work });
      await started.stdoutMatch(/running .*Slack app/);
      expect(started.output().stdout).toMatch(/glance: running the HTTP playground and API and the Slack app \(Socket Mode\)/);
      await fake.waitForSocket();
      // @slack/socket-mode rejects, unhandled, on an envelope whose event is null: glance logs it and keeps serving.
      const broken = fake.mentionEvent({ channel: 'C0001', user: 'U0ALICE', text: 'hi' });
      await fake.sendSocket({ ...broken, event: null }, { type: 'events_api', ackTimeoutMs: 1000 }).catch(() => undefined);

      const file = fake.addFile({ name: 'astronaut.png', bytes: readFileSync(join(IMAGES, 'astronaut.png')), mimetype: 'image/png' });
      const question = goldens.prompts.vqa_what.text.replace(/^Question: (.*) Answer:$/, '$1');
      const event = fake.mentionEvent({ channel: 'C0001', user: 'U0ALICE', text: question, files: [file] });
      await fake.sendSocket(event);
      const golden: string = goldens.images['astronaut.png'].generate.vqa_what_greedy.outputs[0].text_stripped;
      let reply: string | undefined;
      for (let tries = 0; tries < 200 && reply === undefined; tries++) {
        reply = fake.botMessages('C0001').find((m) => m.thread_ts === event.event.ts && !m.text.endsWith('…'))?.text;
        if (reply === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(reply?.startsWith(`Answer (glance): ${golden}`)).toBe(true);

      expect(started.output().stdout).toMatch(/unhandled promise rejection/);
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
