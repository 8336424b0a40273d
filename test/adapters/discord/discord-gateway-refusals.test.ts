// Start-up against a gateway that refuses or never answers: the real discord.js client against the fake Discord.
// Without the race, start-up waited forever for ClientReady (discord.js emits ShardDisconnect on 4014 and stays unready).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import { DISALLOWED_INTENTS_MESSAGE, gatewayRefusal } from '../../../adapters/discord/gateway-ready.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeDiscord, Intents, type FakeDiscordOptions } from '../../helpers/fake-discord/fake-discord.ts';
import { testConfig, useTinyService } from '../../helpers/chat-test-service.ts';

const service = useTinyService();
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function start(fakeOptions: FakeDiscordOptions, env: Record<string, string>, readyTimeoutMs?: number) {
  const fake = await FakeDiscord.start(fakeOptions);
  cleanup.push(() => fake.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'glance-discord-gateway-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = testConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DISCORD_MEDIA_HOSTS: fake.cdnHost, GLANCE_DATA_DIR: dataDir, ...env });
  const settings = SettingsStore.open(dataDir);
  cleanup.push(() => settings.close());
  const started = startDiscordAdapter({ service: service(), config, settings, conversations: new ConversationManager(config.conversation), readyTimeoutMs });
  return { fake, started };
}

describe('Discord start-up when the gateway refuses', () => {
  it('Message Content not enabled in the Developer Portal (close 4014): start-up fails with CONFIG_INVALID saying what to do', async () => {
    const { fake, started } = await start({ disallowedIntents: Intents.MessageContent }, { DISCORD_MESSAGE_CONTENT: 'true' });
    await expect(started).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: DISALLOWED_INTENTS_MESSAGE, details: { closeCode: 4014 } });
    expect(fake.gatewayStats().identifies).toBe(0);
    expect(fake.gateway.received.some((frame) => frame.op === 2 && ((frame.d as { intents: number }).intents & Intents.MessageContent) !== 0)).toBe(true);
  });

  it('the same app with DISCORD_MESSAGE_CONTENT=false starts (identifies without the intent)', async () => {
    const { fake, started } = await start({ disallowedIntents: Intents.MessageContent }, { DISCORD_MESSAGE_CONTENT: 'false' });
    const adapter = await started;
    cleanup.push(() => adapter.close({ graceMs: 0 }));
    expect(fake.gatewayStats().identifies).toBe(1);
    expect((fake.gatewayStats().intents ?? 0) & Intents.MessageContent).toBe(0);
  });

  it('a gateway that does not get ready in time (its guilds never arrive): start-up fails with DEADLINE_EXCEEDED after readyTimeoutMs', async () => {
    const { started } = await start({ withholdGuilds: true }, { DISCORD_MESSAGE_CONTENT: 'false' }, 300);
    await expect(started).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', message: expect.stringMatching(/did not report the bot ready .*DISCORD_API_URL/) });
  });

  it('other session-ending close codes name what to check', () => {
    expect(gatewayRefusal(4004)).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('DISCORD_TOKEN') });
    expect(gatewayRefusal(4011).message).toMatch(/sharding/);
    expect(gatewayRefusal(4013)).toMatchObject({ code: 'CONFIG_INVALID', details: { closeCode: 4013 } });
  });
});
