/**
 * Integration-test glue: one real GlanceService on the tiny OPT bundle per test file (beforeAll), and per test a fake
 * Slack (Web API + Socket Mode + file host + signed delivery), a settings store in a temporary data directory, a
 * conversation manager and the real Slack adapter (real Bolt) in HTTP or Socket Mode. `deliver*` sends an event,
 * command or shortcut the way the mode receives it (a signed POST to /slack/events, or a Socket Mode envelope).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startSlackAdapter } from '../../../adapters/slack/slack-adapter.ts';
import { loadServiceConfig, type ServiceConfig } from '../../../src/config/service-config.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { GlanceService } from '../../../src/service/glance-service.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.ts';
import { IMAGES, TEST_PROVIDER, TINY_OPT, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt, type TinyBundle } from '../../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
/** transformers' greedy caption of astronaut.png (max_new_tokens 20: the start of the service's default 30-token caption). */
export const GOLDEN_CAPTION: string = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0].text_stripped;
/** transformers' greedy answer (max_new_tokens 20) to the vqa_what prompt about astronaut.png. */
export const GOLDEN_ANSWER: string = goldens.images['astronaut.png'].generate.vqa_what_greedy.outputs[0].text_stripped;
/** The question inside goldens.prompts.vqa_what ("Question: what is in the picture? Answer:"). */
export const QUESTION: string = /^Question: (.*) Answer:$/.exec(goldens.prompts.vqa_what.text)![1];
export const ASTRONAUT = readFileSync(join(IMAGES, 'astronaut.png'));
export const CHELSEA = readFileSync(join(IMAGES, 'chelsea.png'));

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

export function testConfig(overrides: Record<string, string>): ServiceConfig {
  return loadServiceConfig({
    env: {},
    envFile: false,
    overrides: { GLANCE_MAX_PIXELS: '1000000', GLANCE_USER_REQUESTS_PER_MINUTE: '1000', GLANCE_MAX_QUESTION_CHARS: '500', GLANCE_MAX_IMAGE_MB: '1', ...overrides },
  });
}

export function modeVariables(fake: FakeSlack, mode: SlackTestMode): Record<string, string> {
  const common = { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, SLACK_FILE_HOSTS: fake.fileHost };
  return mode === 'http' ? { ...common, SLACK_SIGNING_SECRET: fake.signingSecret, SLACK_PORT: '0' } : { ...common, SLACK_APP_TOKEN: fake.appToken };
}

/** beforeAll/afterAll: the real service on the tiny OPT bundle, one per test file; the getter gives it in tests. */
export function useTinyService(overrides: Record<string, string> = {}): () => GlanceService {
  let bundle: TinyBundle | undefined;
  let service: GlanceService | undefined;
  beforeAll(async () => {
    bundle = await convertTinyOpt();
    const config = testConfig(overrides);
    service = await GlanceService.start({
      bundleDir: bundle.dir, modelId: 'tiny-opt', provider: TEST_PROVIDER, threads: 1, maxPixels: config.limits.maxPixels, cache: config.cache, queue: config.queue,
    });
  });
  afterAll(async () => {
    await service?.close();
    bundle?.cleanup();
  });
  return () => {
    if (!service) throw new Error('the service starts in beforeAll');
    return service;
  };
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
