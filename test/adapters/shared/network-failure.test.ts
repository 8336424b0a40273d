// A Discord or Slack API that never answers (here: a closed local port) is NETWORK_UNREACHABLE naming the address;
// one that answers "no" (a token the fake refuses) stays CONFIG_INVALID.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import { unreachableError } from '../../../adapters/shared/network-failure.ts';
import { startSlackAdapter } from '../../../adapters/slack/slack-adapter.ts';
import { ConversationManager } from '../../../src/conversation/conversation-manager.ts';
import { SettingsStore } from '../../../src/settings/settings-store.ts';
import { FakeDiscord } from '../../helpers/fake-discord/fake-discord.ts';
import { testConfig } from '../../helpers/chat-test-service.ts';

const service = { run: () => Promise.reject(new Error('no model in this test')) } as never;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A local port nothing listens on: opened, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function adapterOptions(overrides: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'glance-network-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = testConfig({ GLANCE_DATA_DIR: dataDir, ...overrides });
  const settings = SettingsStore.open(dataDir);
  cleanup.push(() => settings.close());
  return { service, config, settings, conversations: new ConversationManager(config.conversation) };
}

describe('unreachableError', () => {
  it('finds "no answer" anywhere in the cause chain and names the deepest reason', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    const error = unreachableError(new TypeError('fetch failed', { cause: refused }), { what: 'Discord', url: 'https://discord.com/api', variable: 'DISCORD_API_URL', doing: 'to log in' });
    expect(error?.code).toBe('NETWORK_UNREACHABLE');
    expect(error?.message).toContain('Could not reach Discord at https://discord.com/api to log in (connect ECONNREFUSED 10.0.0.1:443)');
    expect(error?.message).toMatch(/network connection and any proxy or firewall .*DISCORD_API_URL/);
    expect(error?.details).toEqual({ url: 'https://discord.com/api' });
  });

  it('leaves an answer alone: an HTTP status or a platform error is not the network', () => {
    const answered = Object.assign(new Error('401: Unauthorized'), { status: 401, code: 0 });
    expect(unreachableError(answered, { what: 'Discord', url: 'u', variable: 'V', doing: 'd' })).toBeUndefined();
    const platform = Object.assign(new Error('An API error occurred: invalid_auth'), { code: 'slack_webapi_platform_error' });
    expect(unreachableError(platform, { what: 'Slack', url: 'u', variable: 'V', doing: 'd' })).toBeUndefined();
  });
});

describe('start-up against an API that cannot be reached', () => {
  it('Discord: NETWORK_UNREACHABLE naming DISCORD_API_URL; a refused token stays CONFIG_INVALID', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/api`;
    const started = startDiscordAdapter(adapterOptions({ DISCORD_TOKEN: 'x', DISCORD_API_URL: apiUrl }));
    await expect(started).rejects.toMatchObject({ code: 'NETWORK_UNREACHABLE', message: expect.stringContaining(`Could not reach Discord at ${apiUrl} to log in (connect ECONNREFUSED`) });

    const fake = await FakeDiscord.start();
    cleanup.push(() => fake.close());
    const refused = startDiscordAdapter(adapterOptions({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: fake.apiUrl }));
    await expect(refused).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('DISCORD_TOKEN') });
  });

  it('Slack: auth.test that gets no answer is NETWORK_UNREACHABLE naming SLACK_API_URL, not a bad token', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}/api/`;
    const started = startSlackAdapter(adapterOptions({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: apiUrl }));
    await expect(started).rejects.toMatchObject({ code: 'NETWORK_UNREACHABLE', message: expect.stringMatching(/Could not reach Slack at .* to check the bot token \(auth\.test\) .*SLACK_API_URL/) });
  });
});
