// Deleted messages' images are forgotten (privacy), also when discord.js no longer has the message in its cache (it
// keeps 50 per channel; Partials.Message makes it report those deletions) and for bulk deletes. Real discord.js
// against the fake Discord, the real tiny model.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, GOLDEN_ANSWER, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const GENERAL = '4001';
const MESSAGE_CACHE = 50;

/** Asks about "the recent image" in the channel; returns glance's answer. */
async function ask(channelId = GENERAL): Promise<string> {
  const { fake } = bot();
  const since = Date.now();
  await fake.postMessage({ channelId, author: ALICE, mentionBot: true, content: QUESTION });
  await nextBotPost(fake, channelId, since);
  return lastBotText(fake, channelId);
}

/** Posts enough text messages that discord.js's message cache no longer holds `messageId`. */
async function pushOutOfCache(messageId: string): Promise<void> {
  const { fake, adapter } = bot();
  for (let i = 0; i <= MESSAGE_CACHE; i++) await fake.postMessage({ channelId: GENERAL, author: BOB, content: `chatter ${i}` });
  const channel = adapter.client.channels.cache.get(GENERAL);
  if (!channel?.isTextBased()) throw new Error('the channel is not cached');
  for (let tries = 0; channel.messages.cache.has(messageId) || !channel.messages.cache.some((m) => m.content === `chatter ${MESSAGE_CACHE}`); tries++) {
    if (tries > 500) throw new Error('the chatter never reached the client');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('deleted messages are forgotten', () => {
  it('a deleted message whose image is still in the channel memory is no longer found (cached message)', async () => {
    const { fake } = bot();
    const image = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    expect(await ask()).toContain(GOLDEN_ANSWER);
    fake.deleteMessage(GENERAL, image.id);
    expect(await ask()).toMatch(/no image to look at/);
  });

  it('a message discord.js no longer caches: its deletion still forgets the image', async () => {
    const { fake } = bot();
    const image = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    await pushOutOfCache(image.id);
    fake.deleteMessage(GENERAL, image.id);
    expect(await ask()).toMatch(/no image to look at/);
    expect(fake.cdnRequests).toHaveLength(0);
  });

  it('a bulk delete forgets every message it lists, cached or not', async () => {
    const { fake } = bot();
    const old = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    await pushOutOfCache(old.id);
    const recent = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [{ ...PNG_ATTACHMENT, filename: 'recent.png' }] });
    fake.bulkDeleteMessages(GENERAL, [recent.id, old.id]);
    expect(await ask()).toMatch(/no image to look at/);
    expect(fake.cdnRequests).toHaveLength(0);
  });

  it('a deleted message in a thread: the thread no longer finds its image', async () => {
    const { fake, adapter } = bot();
    const thread = String(fake.createThread({ parentId: GENERAL, name: 'thread', owner: ALICE }).id);
    for (let tries = 0; !adapter.client.channels.cache.has(thread); tries++) {
      if (tries > 500) throw new Error(`the adapter's client never saw thread ${thread}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const image = await fake.postMessage({ channelId: thread, author: BOB, attachments: [PNG_ATTACHMENT] });
    expect(await ask(thread)).toContain(GOLDEN_ANSWER);
    fake.deleteMessage(thread, image.id);
    expect(await ask(thread)).toMatch(/no image to look at/);
  });
});
