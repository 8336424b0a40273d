/**
 * The discord.js client glance runs: the intents it needs (MessageContent only when DISCORD_MESSAGE_CONTENT is
 * true), DM channels as partials, messages as partials (so deletions of messages no longer in the cache are reported,
 * see message-deletions.ts), REST against DISCORD_API_URL (the gateway URL then comes from GET /gateway/bot), and no
 * message cache beyond what replies need. Partial messages reach only the deletion listeners: MessageCreate and
 * interactions always carry whole messages, and glance listens to no update or reaction events.
 */
import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';
import type { ServiceConfig } from '../../src/config/service-config.ts';

export function gatewayIntents(messageContent: boolean): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  if (messageContent) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

export function createDiscordClient(discord: ServiceConfig['discord']): Client {
  return new Client({
    intents: gatewayIntents(discord.messageContent),
    partials: [Partials.Channel, Partials.Message],
    rest: { api: discord.apiUrl },
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 50 }),
    allowedMentions: { parse: [], repliedUser: false },
  });
}

/** What works without the MessageContent intent (said at start-up). */
export const WITHOUT_MESSAGE_CONTENT =
  'Discord: DISCORD_MESSAGE_CONTENT is false, so automatic alt text is off (it needs the privileged Message Content intent); ' +
  '/caption, /ask, /glance, "Describe image", "Ask about image", @mentions, replies to glance and DMs work.';
