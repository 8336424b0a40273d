/**
 * The Discord adapter: logs the discord.js client in, routes messages and interactions to their handlers, and on
 * close destroys the client and waits for the work in flight. The only place discord.js is used (with the other
 * files of this folder).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Events, type Client } from 'discord.js';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { unreachableError } from '../shared/network-failure.ts';
import { AdapterWork } from '../shared/adapter-work.ts';
import { chatAdapterContext, type ChatAdapterOptions } from '../shared/chat-adapter-context.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, downloadAttachment } from './attachment-download.ts';
import { createDiscordClient } from './discord-client.ts';
import { DEFAULT_READY_TIMEOUT_MS, waitForGatewayReady } from './gateway-ready.ts';
import { handleInteraction } from './interaction-listener.ts';
import { handleMessage } from './message-listener.ts';
import { onMessageBulkDelete, onMessageDelete } from './message-deletions.ts';

export interface DiscordAdapterOptions extends ChatAdapterOptions {
  /** How long start-up waits for the gateway to be ready (default 60 s); then it fails with DEADLINE_EXCEEDED. */
  readyTimeoutMs?: number;
}

export interface DiscordAdapter {
  client: Client;
  /** The bot's user id and tag, once logged in. */
  user: { id: string; tag: string };
  /**
   * Takes no new work, lets the work in flight send its replies (up to `graceMs`, default 10 s), then destroys the
   * client (gateway closed, REST token dropped).
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * discord.js's destroy() can wait forever when the shard is still waiting for HELLO or READY (its own wait, aborted by
 * destroy, starts a reconnect that takes over the connection destroy waits on): give up waiting after `graceMs`.
 */
const DESTROY_GRACE_MS = 2000;

async function destroyWithin(client: Client, graceMs: number, log: DiscordAdapterOptions['log']): Promise<void> {
  const destroyed = client.destroy().then(() => true);
  if (!(await Promise.race([destroyed, delay(graceMs, false, { ref: false })]))) {
    log?.warn({ component: 'discord' }, `the Discord client did not close within ${graceMs} ms after a failed start`);
  }
}

export async function startDiscordAdapter(options: DiscordAdapterOptions): Promise<DiscordAdapter> {
  const { config, log } = options;
  const token = config.discordToken;
  if (!token) throw new GlanceError(ErrorCode.ConfigInvalid, 'The Discord adapter needs DISCORD_TOKEN (the bot token from the Developer Portal).');
  const context: DiscordAdapterContext = chatAdapterContext(options, async (url) =>
    (await downloadAttachment(url, { mediaHosts: config.discord.mediaHosts, maxBytes: config.limits.maxImageBytes, timeoutMs: DEFAULT_DOWNLOAD_TIMEOUT_MS })).bytes,
  );
  const client = createDiscordClient(config.discord);
  const work = new AdapterWork('Discord', log);

  client.on(Events.MessageCreate, (message) => {
    const botId = client.user?.id;
    if (botId) work.track(() => handleMessage(context, message, botId), 'message handling');
  });
  client.on(Events.MessageDelete, (message) => onMessageDelete(context, message));
  client.on(Events.MessageBulkDelete, (messages, channel) => onMessageBulkDelete(context, messages, channel));
  client.on(Events.InteractionCreate, (interaction) => work.track(() => handleInteraction(context, interaction), 'interaction'));
  client.on(Events.Error, (error) => log?.error({ err: error }, 'Discord client error'));
  client.on(Events.Warn, (message) => log?.warn({ component: 'discord' }, message));
  client.on(Events.ShardResume, () => log?.info({ component: 'discord' }, 'Discord gateway resumed'));
  client.on(Events.ShardDisconnect, (event) => log?.warn({ component: 'discord', code: event.code }, 'Discord gateway disconnected'));

  const gateway = waitForGatewayReady(client, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  try {
    // login() may resolve although the gateway refused the session (4014): ready decides
    await Promise.all([client.login(token), gateway.ready]);
  } catch (error) {
    gateway.cancel();
    await destroyWithin(client, DESTROY_GRACE_MS, log);
    if (error instanceof GlanceError) throw error;
    const unreachable = unreachableError(error, { what: 'Discord', url: config.discord.apiUrl, variable: 'DISCORD_API_URL', doing: 'to log in' });
    if (unreachable) throw unreachable;
    const message = (error as Error).message ?? String(error);
    throw new GlanceError(ErrorCode.ConfigInvalid, `Discord login failed (${message}); check DISCORD_TOKEN and DISCORD_API_URL.`, undefined, { cause: error });
  }
  const user = { id: client.user!.id, tag: client.user!.tag };
  log?.info({ component: 'discord', user: user.tag, messageContent: config.discord.messageContent }, 'Discord adapter logged in');
  return {
    client,
    user,
    async close({ graceMs = 10_000 } = {}) {
      await work.drain(graceMs);
      await client.destroy();
    },
  };
}
