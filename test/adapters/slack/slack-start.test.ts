// startSlackAdapter's contract without the model: modes, the URL in HTTP mode, refusals at start, close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GlanceError } from '../../../engine/errors.ts';
import { startSlackAdapter } from '../../../adapters/slack/slack-adapter.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.ts';
import { modeVariables, testConfig } from './slack-test-bot.ts';

let fake: FakeSlack;
let dataDir: string;
let settings: SettingsStore;
const service = { run: () => Promise.reject(new Error('no model in this test')) };

beforeEach(async () => {
  fake = await FakeSlack.start();
  dataDir = mkdtempSync(join(tmpdir(), 'glance-slack-start-'));
  settings = SettingsStore.open(dataDir);
});
afterEach(async () => {
  settings.close();
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(overrides: Record<string, string>) {
  const config = testConfig({ GLANCE_DATA_DIR: dataDir, ...overrides });
  return startSlackAdapter({ service, config, settings, conversations: new ConversationManager(config.conversation) });
}

async function refusal(overrides: Record<string, string>): Promise<GlanceError> {
  try {
    const adapter = await start(overrides);
    await adapter.close();
  } catch (error) {
    return error as GlanceError;
  }
  throw new Error('expected the start to be refused');
}

describe('startSlackAdapter', () => {
  it('HTTP mode answers Slack’s url_verification at the URL it returns; Socket Mode connects; close stops both', async () => {
    const http = await start(modeVariables(fake, 'http'));
    expect(http.mode).toBe('http');
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
    const verification = await fake.postEvent(http.url!, { token: 'x', challenge: 'c-123', type: 'url_verification' });
    expect(verification.status).toBe(200);
    expect(verification.body).toContain('c-123');
    await http.close();
    await expect(fetch(http.url!, { method: 'POST' })).rejects.toThrow();

    const socket = await start(modeVariables(fake, 'socket'));
    expect(socket).toMatchObject({ mode: 'socket' });
    expect(socket.url).toBeUndefined();
    await fake.waitForSocket();
    const open = fake.calls.find((call) => call.method === 'apps.connections.open');
    expect(open?.token).toBe(fake.appToken);
    await socket.close();
  });

  it('a bot token Slack refuses, or an unusable combination of variables, is CONFIG_INVALID naming the variables', async () => {
    const badToken = await refusal({ ...modeVariables(fake, 'http'), SLACK_BOT_TOKEN: 'xoxb-wrong' });
    expect(badToken.code).toBe('CONFIG_INVALID');
    expect(badToken.message).toMatch(/auth\.test failed \(invalid_auth\); check SLACK_BOT_TOKEN and SLACK_API_URL/);
    const both = await refusal({ ...modeVariables(fake, 'http'), SLACK_APP_TOKEN: fake.appToken });
    expect(both.code).toBe('CONFIG_INVALID');
    expect(both.details?.variables).toEqual(['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_PORT']);
    expect(fake.calls.filter((call) => call.method === 'auth.test')).toHaveLength(1); // the combination is refused before any call
  });
});
