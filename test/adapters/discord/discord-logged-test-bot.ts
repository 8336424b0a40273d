/**
 * Test glue for what the Discord adapter logs: like discord-test-bot.ts (a fresh fake Discord, settings store and
 * adapter per test, the real tiny service per file) with the service limits in `overrides`, plus the adapter's log
 * lines (pino JSON, parsed) and a wait for one of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startDiscordAdapter, type DiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { GlanceService } from '../../../src/service/glance-service.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeDiscord } from '../../helpers/fake-discord/fake-discord.ts';
import { testConfig, useTinyService } from '../../helpers/chat-test-service.ts';

export interface LoggedDiscordBot {
  fake: FakeDiscord;
  settings: SettingsStore;
  adapter: DiscordAdapter;
  service: GlanceService;
  /** Every line the adapter logged so far. */
  logLines: Record<string, any>[];
  /** Resolves with the first log line (past or future) matching, or throws after ~10 s listing the log. */
  logged(match: (line: Record<string, any>) => boolean, what: string): Promise<Record<string, any>>;
}

export function useLoggedDiscordBot(overrides: Record<string, string> = {}): () => LoggedDiscordBot {
  const service = useTinyService(overrides);
  let bot: (LoggedDiscordBot & { dataDir: string }) | undefined;
  beforeEach(async () => {
    const fake = await FakeDiscord.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'glance-discord-logged-'));
    const config = testConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DISCORD_MEDIA_HOSTS: fake.cdnHost, DISCORD_MESSAGE_CONTENT: 'true', GLANCE_DATA_DIR: dataDir, ...overrides });
    const settings = SettingsStore.open(dataDir);
    const logLines: Record<string, any>[] = [];
    const log = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
    const adapter = await startDiscordAdapter({ service: service(), config, settings, conversations: new ConversationManager(config.conversation), log });
    bot = {
      fake,
      settings,
      adapter,
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
    if (!bot) throw new Error('the logged Discord test bot starts in beforeEach');
    return bot;
  };
}
