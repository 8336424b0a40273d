/**
 * Integration-test glue: one real GlanceService on the tiny OPT bundle per test file (beforeAll), and per test a fake
 * Slack (Web API + Socket Mode + file host + signed delivery), a settings store in a temporary data directory, a
 * conversation manager and the real Slack adapter (real Bolt) in HTTP or Socket Mode. `deliver*` sends an event,
 * command or shortcut the way the mode receives it (a signed POST to /slack/events, or a Socket Mode envelope).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { startSlackAdapter } from '../../../adapters/slack/slack-adapter.ts';
import type { ServiceConfig } from '../../../src/config/service-config.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import type { GlanceService } from '../../../src/service/glance-service.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.ts';
import { testConfig } from '../../helpers/chat-test-service.ts';

export { ASTRONAUT, CHELSEA, GOLDEN_ANSWER, GOLDEN_CAPTION, QUESTION, testConfig, useTinyService } from '../../helpers/chat-test-service.ts';


export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const GENERAL = 'C0001';
export const RANDOM = 'C0002';
export const PHOTOS = 'C0003';

export type SlackTestMode = 'http' | 'socket';

/** Each expected() call runs as its own user, so it never counts against a test's per-user limits. */
let expectedCalls = 0;

export interface SlackTestBot {
  mode: SlackTestMode;
  fake: FakeSlack;
  settings: SettingsStore;
  conversations: ConversationManager;
  config: ServiceConfig;
  service: GlanceService;
  dataDir: string;
  /** HTTP mode: the adapter's /slack/events URL. */
  url?: string;
  deliverEvent(body: any, options?: { retryNum?: number }): Promise<void>;
  deliverCommand(fields: Record<string, string>): Promise<void>;
  deliverInteraction(payload: any): Promise<void>;
  /** The adapter's answer to the question about `image` (the service's own, for comparing). */
  expected(image: Uint8Array, question?: string): Promise<string>;
  /** Stops the adapter and the settings store and starts them again on the same data directory. */
  restart(): Promise<void>;
}


export function modeVariables(fake: FakeSlack, mode: SlackTestMode): Record<string, string> {
  const common = { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, SLACK_FILE_HOSTS: fake.fileHost };
  return mode === 'http' ? { ...common, SLACK_SIGNING_SECRET: fake.signingSecret, SLACK_PORT: '0' } : { ...common, SLACK_APP_TOKEN: fake.appToken };
}


/** beforeEach: a fresh fake Slack and the real adapter in `mode` on `service()`; afterEach stops them. */
export function useSlackTestBot(mode: SlackTestMode, service: () => GlanceService, overrides: Record<string, string> = {}): () => SlackTestBot {
  let bot: SlackTestBot | undefined;
  let adapter: Awaited<ReturnType<typeof startSlackAdapter>> | undefined;
  beforeEach(async () => {
    const fake = await FakeSlack.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'glance-slack-'));
    const config = testConfig({ ...modeVariables(fake, mode), GLANCE_DATA_DIR: dataDir, ...overrides });
    const open = async () => {
      const settings = SettingsStore.open(dataDir);
      const conversations = new ConversationManager(config.conversation);
      adapter = await startSlackAdapter({ service: service(), config, settings, conversations });
      if (adapter.mode === 'socket') await fake.waitForSocket();
      return { settings, conversations, url: adapter.url };
    };
    const parts = await open();
    const expectAccepted = (delivery: { status: number; body: string }) => expect(delivery.status, delivery.body).toBe(200);
    bot = {
      mode,
      fake,
      config,
      service: service(),
      dataDir,
      ...parts,
      async deliverEvent(body, options = {}) {
        if (bot!.mode === 'http') expectAccepted(await fake.postEvent(bot!.url!, body, { retryNum: options.retryNum }));
        else await fake.sendSocket(body, { type: 'events_api', ...(options.retryNum === undefined ? {} : { retryAttempt: options.retryNum }) });
      },
      async deliverCommand(fields) {
        if (bot!.mode === 'http') expectAccepted(await fake.postCommand(bot!.url!, fields));
        else await fake.sendSocket(fields, { type: 'slash_commands' });
      },
      async deliverInteraction(payload) {
        if (bot!.mode === 'http') expectAccepted(await fake.postInteraction(bot!.url!, payload));
        else await fake.sendSocket(payload, { type: 'interactive' });
      },
      async expected(image, question) {
        return (await service().run({ image, ...(question ? { question } : {}), userId: `expected-${++expectedCalls}`, channelId: 'test' })).text;
      },
      async restart() {
        await adapter!.close();
        bot!.settings.close();
        Object.assign(bot!, await open());
      },
    };
  });
  afterEach(async () => {
    if (!bot) return;
    await adapter?.close();
    bot.settings.close();
    await bot.fake.close();
    rmSync(bot.dataDir, { recursive: true, force: true });
    bot = undefined;
  });
  return () => {
    if (!bot) throw new Error('the Slack test bot starts in beforeEach');
    return bot;
  };
}

/** Polls the bot's messages in `channel` until one matches (replies are posted, then maybe updated). */
export async function waitForBotMessage(fake: FakeSlack, channel: string, match: (message: { ts: string; thread_ts?: string; text: string }) => boolean, timeoutMs = 10_000): Promise<{ ts: string; thread_ts?: string; text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = fake.botMessages(channel).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching bot message in ${channel}; got ${JSON.stringify(fake.botMessages(channel))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls the ephemeral messages until one matches. */
export async function waitForEphemeral(fake: FakeSlack, match: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = fake.ephemerals().find((message) => match(message.text));
    if (found) return found.text;
    if (Date.now() > deadline) throw new Error(`no matching ephemeral; got ${JSON.stringify(fake.ephemerals())}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
