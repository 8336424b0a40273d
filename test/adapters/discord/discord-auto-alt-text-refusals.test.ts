// Automatic alt text is work nobody asked for: a refused request (queue full, rate limited) is logged and nothing is
// posted, and neither is a reply that would only say that the one image could not be read; when one image of several
// is unreadable, its line is part of the attributed reply. Real discord.js against the fake Discord, the real tiny model
// with a one-request queue and one request per user per minute, and the adapter's log read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscordAdapter, type DiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeDiscord } from '../../helpers/fake-discord/fake-discord.ts';
import { ASTRONAUT, testConfig, useTinyService } from '../../helpers/chat-test-service.ts';
import { ALICE, BOB, GOLDEN_CAPTION, PNG_ATTACHMENT, lastBotText, nextBotPost } from './discord-test-bot.ts';

const LIMITS = { GLANCE_QUEUE_SIZE: '1', GLANCE_USER_REQUESTS_PER_MINUTE: '1', GLANCE_MAX_NEW_TOKENS: '1000' };
const service = useTinyService(LIMITS);
const PHOTOS = '4002';
const EMPTY_PNG = { filename: 'empty.png', bytes: new Uint8Array(), contentType: 'image/png' };

let fake: FakeDiscord;
let settings: SettingsStore;
let adapter: DiscordAdapter;
let dataDir: string;
let logLines: Record<string, any>[];

beforeEach(async () => {
  fake = await FakeDiscord.start();
  dataDir = mkdtempSync(join(tmpdir(), 'glance-discord-refusals-'));
  const config = testConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DISCORD_MEDIA_HOSTS: fake.cdnHost, DISCORD_MESSAGE_CONTENT: 'true', GLANCE_DATA_DIR: dataDir, ...LIMITS });
  settings = SettingsStore.open(dataDir);
  settings.setChannelAutoAltText('discord', PHOTOS, true);
  logLines = [];
  const log = createLogger('info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  adapter = await startDiscordAdapter({ service: service(), config, settings, conversations: new ConversationManager(config.conversation), log });
});

afterEach(async () => {
  await adapter.close({ graceMs: 2000 });
  settings.close();
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let tries = 0; tries < 1000; tries++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}; log: ${JSON.stringify(logLines)}`);
}

const logged = (message: string, messageId: string) => until(() => logLines.find((line) => line.msg === message && line.message === messageId), `log "${message}" for ${messageId}`);
const postsIn = (channelId: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);

describe('automatic alt text does not post refusals', () => {
  it('queue full (BUSY): logged, nothing posted in the channel', async () => {
    // a long request on the engine and another waiting fill the one-request queue
    const long = service().run({ image: ASTRONAUT, userId: 'filler-1', channelId: 'elsewhere', generation: { minNewTokens: 1000, maxNewTokens: 1000 } });
    await until(() => (service().health().running > 0 ? true : undefined), 'the long request runs');
    const waiting = service().run({ image: ASTRONAUT, userId: 'filler-2', channelId: 'elsewhere' });
    expect(service().health().queued).toBe(1);
    const posted = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const line = await logged('automatic alt text refused (nobody asked, so nothing is posted)', posted.id);
    expect(line).toMatchObject({ code: 'BUSY', channel: PHOTOS, level: 30 });
    expect(postsIn(PHOTOS)).toEqual([]);
    await Promise.all([long, waiting]);
  });

  it('rate limited: the second image of a user within the minute is not described, and nothing says so', async () => {
    const first = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, PHOTOS);
    expect(reply.body.message_reference.message_id).toBe(first.id);
    const second = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    expect(await logged('automatic alt text refused (nobody asked, so nothing is posted)', second.id)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(postsIn(PHOTOS)).toHaveLength(1);
  });

  it('one unreadable image alone: logged, not posted; with a readable one: a numbered line under the attribution', async () => {
    const alone = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [EMPTY_PNG] });
    expect(await logged('automatic alt text: no image could be read; nothing posted', alone.id)).toMatchObject({ images: 1 });
    expect(postsIn(PHOTOS)).toEqual([]);
    const mixed = await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT, EMPTY_PNG] });
    const reply = await nextBotPost(fake, PHOTOS);
    expect(reply.body.message_reference.message_id).toBe(mixed.id);
    const lines = lastBotText(fake, PHOTOS).split('\n');
    expect(lines[0]).toBe('Alt text (glance):');
    expect(lines[1]).toMatch(/^1\. /);
    expect(lines[1]).toContain(GOLDEN_CAPTION);
    expect(lines[2]).toBe('2. (could not be read: The file is empty (0 bytes).)');
  });
});
