// Threads with the real discord.js client against the fake Discord (type 11 public threads) and the real tiny model:
// the parent channel's alt-text setting applies in its threads, and a question in a thread is about the thread's image.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GOLDEN_ANSWER, GOLDEN_CAPTION, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse } from './discord-test-bot.ts';

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

  it('/glance alt-text inside a thread: status says what is in force and where it comes from; off there turns the thread off while its channel stays on', async () => {
    const { fake, settings } = bot();
    const thread = await newThread(PHOTOS);
    expect(await altText(thread, 'status')).toBe(`Automatic alt text is off in this thread and in its channel <#${PHOTOS}>.`);
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    expect(await altText(thread, 'status')).toBe(`Automatic alt text is on in this thread, inherited from its channel <#${PHOTOS}>.`);
    expect(await altText(thread, 'off')).toBe(`Automatic alt text is now off in this thread; its channel <#${PHOTOS}> keeps it on.`);
    expect(settings.isChannelAutoAltText('discord', PHOTOS)).toBe(true);
    expect(await altText(thread, 'status')).toBe(`Automatic alt text is off in this thread (turned off here), though its channel <#${PHOTOS}> has it on.`);
    // what the answer says is what happens: an image in the thread gets nothing, one in the channel gets alt text
    await fake.postMessage({ channelId: thread, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    expect((await nextBotPost(fake, PHOTOS)).body.content).toMatch(/^Alt text \(glance\): /); // handled in order
    expect(fake.botMessages(thread)).toHaveLength(0);
    // on again in the thread: its own setting wins once more
    expect(await altText(thread, 'on')).toMatch(/^Automatic alt text is now on in this thread \(its channel <#4002> has it on too/);
    expect(await altText(thread, 'status')).toBe(`Automatic alt text is on in this thread (and in its channel <#${PHOTOS}>).`);
  });

  it('/glance alt-text on inside a thread of a quiet channel: on for the thread only, status says so, the channel stays off', async () => {
    const { fake, settings } = bot();
    const thread = await newThread(GENERAL);
    expect(await altText(thread, 'on')).toMatch(/^Automatic alt text is now on in this thread: /);
    expect(settings.isChannelAutoAltText('discord', thread)).toBe(true);
    expect(settings.isChannelAutoAltText('discord', GENERAL)).toBe(false);
    expect(await altText(thread, 'status')).toBe('Automatic alt text is on in this thread.');
    expect(await altText(GENERAL, 'status')).toBe('Automatic alt text is off in this channel.');
    await fake.postMessage({ channelId: GENERAL, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: thread, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, thread); // handled in order: the channel's image was handled first
    expect(fake.botMessages(GENERAL)).toHaveLength(0);
    expect(await altText(thread, 'off')).toBe('Automatic alt text is now off in this thread.');
    expect(await altText(thread, 'status')).toBe(`Automatic alt text is off in this thread and in its channel <#${GENERAL}>.`);
  });
});

/** Runs `/glance alt-text <action>` in `channelId` as a moderator; returns the private answer. */
async function altText(channelId: string, action: 'on' | 'off' | 'status'): Promise<string> {
  const { fake } = bot();
  const run = await fake.slashCommand({ name: 'glance', channelId, user: ALICE, options: [{ name: 'alt-text', type: 2, options: [{ name: action, type: 1 }] }] });
  const [response] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
  expect(response.data.flags & 64).toBe(64);
  return response.data.content;
}
