/**
 * Integration-test glue: one real GlanceService on the tiny OPT bundle per test file (beforeAll), and per test a fake
 * Discord (REST + gateway + CDN), a settings store in a temporary data directory, a conversation manager and the real
 * Discord adapter logged in to the fake, its log read back (for what glance deliberately does not post). Also the
 * goldens, fixture images and waits on what the bot sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startDiscordAdapter, type DiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import type { ServiceConfig } from '../../../src/config/service-config.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { GlanceService } from '../../../src/service/glance-service.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeDiscord, type RecordedRequest } from '../../helpers/fake-discord/fake-discord.ts';
import { ASTRONAUT, testConfig, useTinyService } from '../../helpers/chat-test-service.ts';

export { ASTRONAUT, CHELSEA, GOLDEN_ANSWER, GOLDEN_CAPTION, GOLDEN_CHELSEA_CAPTION, QUESTION, testConfig } from '../../helpers/chat-test-service.ts';


export const ALICE = { id: '5001', username: 'alice' };
export const BOB = { id: '5002', username: 'bob' };
export const OTHER_BOT = { id: '5009', username: 'otherbot', bot: true };

export const PNG_ATTACHMENT = { filename: 'astronaut.png', bytes: ASTRONAUT, contentType: 'image/png', width: 512, height: 512 };

export interface DiscordTestBot {
  fake: FakeDiscord;
  adapter: DiscordAdapter;
  settings: SettingsStore;
  conversations: ConversationManager;
  config: ServiceConfig;
  service: GlanceService;
  dataDir: string;
  /** Every line the adapter logged so far (pino JSON, parsed). */
  logLines: Record<string, any>[];
  /** Resolves with the first log line (past or future) matching, or throws after ~10 s listing the log. */
  logged(match: (line: Record<string, any>) => boolean, what: string): Promise<Record<string, any>>;
  /** Stops the adapter and the settings store and starts them again on the same data directory (a restart). */
  restart(): Promise<void>;
}


/**
 * beforeAll: the tiny service; beforeEach: a fresh fake Discord and adapter (MESSAGE_CONTENT on unless
 * `overrides` says otherwise). The getter gives them inside tests.
 */
export function useDiscordTestBot(overrides: Record<string, string> = {}): () => DiscordTestBot {
  const service = useTinyService(overrides);
  let bot: DiscordTestBot | undefined;
  beforeEach(async () => {
    const fake = await FakeDiscord.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'glance-discord-'));
    const config = testConfig({
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_MEDIA_HOSTS: fake.cdnHost,
      DISCORD_MESSAGE_CONTENT: 'true',
      GLANCE_DATA_DIR: dataDir,
      ...overrides,
    });
    const open = async () => {
      const settings = SettingsStore.open(dataDir);
      const conversations = new ConversationManager(config.conversation);
      const adapter = await startDiscordAdapter({ service: service(), config, settings, conversations, log });
      return { settings, conversations, adapter };
    };
    const logLines: Record<string, any>[] = [];
    const log = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    const parts = await open();
    bot = {
      fake,
      config,
      service: service(),
      dataDir,
      logLines,
      async logged(match, what) {
        for (let tries = 0; tries < 1000; tries++) {
          const found = logLines.find(match);
          if (found) return found;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error(`never logged: ${what}; log: ${JSON.stringify(logLines)}`);
      },
      ...parts,
      async restart() {
        await bot!.adapter.close();
        bot!.settings.close();
        Object.assign(bot!, await open());
      },
    };
  });
  afterEach(async () => {
    if (!bot) return;
    await bot.adapter.close({ graceMs: 2000 });
    bot.settings.close();
    await bot.fake.close();
    rmSync(bot.dataDir, { recursive: true, force: true });
    bot = undefined;
  });
  return () => {
    if (!bot) throw new Error('the Discord test bot starts in beforeEach');
    return bot;
  };
}

/**
 * The next message the bot posts in `channelId` (POST /channels/:id/messages answered 200) after the time `after`
 * (Date.now()). Strictly after: a reply posted in the same millisecond `after` was taken is an earlier one (an
 * answer takes the model's time, several ms, so it always lands later).
 */
export async function nextBotPost(fake: FakeDiscord, channelId: string, after = 0): Promise<RecordedRequest> {
  return fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${channelId}/messages` && request.at > after && request.status === 200);
}

/** The content of the bot's last message in the channel (after its edits). */
export function lastBotText(fake: FakeDiscord, channelId: string): string {
  const messages = fake.botMessages(channelId);
  return messages.at(-1)?.content ?? '';
}

/** Waits until the interaction has a response matching `match` (polling the fake's record). */
export async function waitForResponse(fake: FakeDiscord, token: string, match: (response: ReturnType<FakeDiscord['interactionResponses']>[number]) => boolean, timeoutMs = 10_000): Promise<ReturnType<FakeDiscord['interactionResponses']>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const responses = fake.interactionResponses(token);
    if (responses.some(match)) return responses;
    if (Date.now() > deadline) throw new Error(`no matching interaction response; got ${JSON.stringify(responses)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The text a user sees for an interaction: the last edit of the original, or the last follow-up. */
export function finalText(responses: ReturnType<FakeDiscord['interactionResponses']>): string | undefined {
  const last = [...responses].reverse().find((r) => r.kind === 'edit' || r.kind === 'followup' || (r.kind === 'callback' && r.type === 4));
  return last?.data?.content;
}
