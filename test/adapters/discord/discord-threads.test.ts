// Threads with the real discord.js client against the fake Discord (type 11 public threads) and the real tiny model:
// the parent channel's alt-text setting applies in its threads, and a question in a thread is about the thread's image.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GOLDEN_ANSWER, GOLDEN_CAPTION, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const PHOTOS = '4002';
const GENERAL = '4001';
const CHELSEA_ATTACHMENT = { filename: 'chelsea.png', bytes: CHELSEA, contentType: 'image/png', width: 451, height: 300 };

/** A new thread under `parentId`, once the adapter's client has it (THREAD_CREATE handled). */
async function newThread(parentId: string): Promise<string> {
  const { fake, adapter } = bot();
  const thread = fake.createThread({ parentId, name: 'thread', owner: ALICE });
  const id = String(thread.id);
  for (let tries = 0; !adapter.client.channels.cache.has(id); tries++) {
    if (tries > 500) throw new Error(`the adapter's client never saw thread ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return id;
}

describe('threads', () => {
  it('an image posted in a thread of an opted-in channel gets alt text in the thread (golden)', async () => {
    const { fake, settings, service } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const thread = await newThread(PHOTOS);
    const posted = await fake.postMessage({ channelId: thread, author: ALICE, attachments: [PNG_ATTACHMENT] });
    expect(posted.channel_id).toBe(thread);
    const reply = await nextBotPost(fake, thread);
    const expected = (await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test' })).text;
    expect(expected.startsWith(GOLDEN_CAPTION)).toBe(true);
    expect(reply.body.content).toBe(`Alt text (glance): ${expected}`);
    expect(reply.body.message_reference.message_id).toBe(posted.id);
    expect(fake.botMessages(PHOTOS)).toHaveLength(0);
  });

  it('a thread of a channel that is not opted in gets no alt text', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const quiet = await newThread(GENERAL);
    const described = await newThread(PHOTOS);
    await fake.postMessage({ channelId: quiet, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: described, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, described); // messages are handled in order: the quiet thread's was handled before
    expect(fake.botMessages(quiet)).toHaveLength(0);
  });

  it('a mention in a thread without an image is about the thread’s most recent image, not the parent channel’s newer one', async () => {
    const { fake, service } = bot();
    const thread = await newThread(GENERAL);
    await fake.postMessage({ channelId: thread, author: BOB, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [CHELSEA_ATTACHMENT] });
    const question = await fake.postMessage({ channelId: thread, author: ALICE, mentionBot: true, content: QUESTION });
    const reply = await nextBotPost(fake, thread);
    const expected = (await service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(expected.startsWith(GOLDEN_ANSWER)).toBe(true);
    expect(reply.body.message_reference.message_id).toBe(question.id);
    expect(lastBotText(fake, thread)).toBe(`Answer (glance): ${expected}`);
    // and in the parent channel the same question is about the channel's image
    const aboutChelsea = (await service.run({ image: CHELSEA, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(aboutChelsea).not.toBe(expected);
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, GENERAL);
    expect(lastBotText(fake, GENERAL)).toBe(`Answer (glance): ${aboutChelsea}`);
  });
});
