/**
 * The Discord adapter: logs the discord.js client in, routes messages and interactions to their handlers, and on
 * close destroys the client and waits for the work in flight. The only place discord.js is used (with the other
 * files of this folder).
 */
import { Events, type Client } from 'discord.js';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { AdapterWork } from '../shared/adapter-work.ts';
import { chatAdapterContext, type ChatAdapterOptions } from '../shared/chat-adapter-context.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { DEFAULT_DOWNLOAD_TIMEOUT_MS, downloadAttachment } from './attachment-download.ts';
import { conversationKey } from './conversation-key.ts';
import { createDiscordClient } from './discord-client.ts';
import { handleInteraction } from './interaction-listener.ts';
import { handleMessage } from './message-listener.ts';

export type DiscordAdapterOptions = ChatAdapterOptions;

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
  client.on(Events.MessageDelete, (message) => {
    context.conversations.forgetMessage(conversationKey(message.guildId, message.channelId, message.channel), message.id);
  });
  client.on(Events.InteractionCreate, (interaction) => work.track(() => handleInteraction(context, interaction), 'interaction'));
  client.on(Events.Error, (error) => log?.error({ err: error }, 'Discord client error'));
  client.on(Events.Warn, (message) => log?.warn({ component: 'discord' }, message));
  client.on(Events.ShardResume, () => log?.info({ component: 'discord' }, 'Discord gateway resumed'));
  client.on(Events.ShardDisconnect, (event) => log?.warn({ component: 'discord', code: event.code }, 'Discord gateway disconnected'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(token);
    await ready;
  } catch (error) {
    await client.destroy();
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
