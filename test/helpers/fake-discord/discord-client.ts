/**
 * Test glue for the fake Discord: beforeEach/afterEach hooks that start a fresh fake (and destroy the discord.js
 * clients a test connected), a connect helper for a real discord.js Client pointed at the fake, and a wait for the
 * next message from a user (the bot's own posts come back over the gateway too, as on Discord).
 */
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials, type Message } from 'discord.js';
import { afterEach, beforeEach } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions } from './fake-discord.ts';

export const ALL_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent];
export const WITHOUT_MESSAGE_CONTENT = ALL_INTENTS.filter((intent) => intent !== GatewayIntentBits.MessageContent);

export interface FakeDiscordHooks {
  fake: () => FakeDiscord;
  /** A real discord.js client logged in to the fake and ready (destroyed after the test). */
  connect: (intents?: GatewayIntentBits[]) => Promise<Client>;
}

export function useFakeDiscord(options: FakeDiscordOptions = {}): FakeDiscordHooks {
  let fake: FakeDiscord | undefined;
  let clients: Client[] = [];
  beforeEach(async () => {
    fake = await FakeDiscord.start(options);
  });
  afterEach(async () => {
    for (const client of clients) await client.destroy();
    clients = [];
    await fake?.close();
    fake = undefined;
  });
  const current = (): FakeDiscord => {
    if (!fake) throw new Error('the fake Discord runs only inside a test');
    return fake;
  };
  return {
    fake: current,
    connect: async (intents = ALL_INTENTS) => {
      const client = new Client({ intents, partials: [Partials.Channel], rest: { api: current().apiUrl } });
      clients.push(client);
      const ready = once(client, Events.ClientReady);
      await client.login(current().token);
      await ready;
      return client;
    },
  };
}

/** The next message from someone other than the bot. */
export function nextUserMessage(client: Client): Promise<Message> {
  return new Promise((resolve) => {
    const listener = (message: Message) => {
      if (message.author.bot) return;
      client.off(Events.MessageCreate, listener);
      resolve(message);
    };
    client.on(Events.MessageCreate, listener);
  });
}
