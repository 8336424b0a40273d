// Questions by @mention, reply and DM; streaming edits; a dropped gateway; a REST 429.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startDiscordAdapter } from '../../../adapters/discord/discord-adapter.ts';
import type { ServiceRequest, ServiceResult } from '../../../src/service/glance-service.ts';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GOLDEN_ANSWER, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse, finalText } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const GENERAL = '4001';

async function answerTo(image: Uint8Array, question: string): Promise<string> {
  return (await bot().service.run({ image, question, userId: 'test', channelId: 'test' })).text;
}

describe('questions in messages', () => {
  it('an @mention with a question and an image gets the VQA answer (golden), with a typing indicator', async () => {
    const { fake } = bot();
    const posted = await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, GENERAL);
    const expected = await answerTo(ASTRONAUT, QUESTION);
    expect(expected.startsWith(GOLDEN_ANSWER)).toBe(true);
    expect(reply.body.content).toBe(`Answer (glance): ${expected}`);
    expect(reply.body.message_reference.message_id).toBe(posted.id);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === `/channels/${GENERAL}/typing`)).toBe(true);
  });

  it('an @mention without an image is about the recent image in the channel; a reply is about the replied message’s image', async () => {
    const { fake } = bot();
    const cat = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [{ filename: 'chelsea.png', bytes: CHELSEA, contentType: 'image/png', width: 451, height: 300 }] });
    await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [PNG_ATTACHMENT] });
    let since = Date.now();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, GENERAL, since);
    expect(lastBotText(fake, GENERAL)).toBe(`Answer (glance): ${await answerTo(ASTRONAUT, QUESTION)}`);
    // the conversation remembers the image's content hash once it has been read
    const remembered = bot().conversations.resolve({ key: { platform: 'discord', workspace: fake.guildId, channel: GENERAL }, messageId: '' }).images;
    expect(remembered.map((image) => image.imageHash)).toEqual([createHash('sha256').update(ASTRONAUT).digest('hex')]);
    since = Date.now();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, replyTo: cat.id, replyMention: false });
    await nextBotPost(fake, GENERAL, since);
    expect(lastBotText(fake, GENERAL)).toBe(`Answer (glance): ${await answerTo(CHELSEA, QUESTION)}`);
  });

  it('a reply to glance’s own message (no mention) is a question too', async () => {
    const { fake } = bot();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: '', attachments: [PNG_ATTACHMENT] });
    const first = await nextBotPost(fake, GENERAL);
    expect(first.body.content).toMatch(/^Caption \(glance\): /);
    const botMessage = fake.botMessages(GENERAL)[0];
    const since = Date.now();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, content: QUESTION, replyTo: botMessage.id });
    await nextBotPost(fake, GENERAL, since);
    expect(lastBotText(fake, GENERAL)).toBe(`Answer (glance): ${await answerTo(ASTRONAUT, QUESTION)}`);
  });

  it('with the Message Content intent, a reply to glance without text (reply ping off) gets a caption of its image', async () => {
    const { fake, service } = bot();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, GENERAL);
    const answer = fake.botMessages(GENERAL).at(-1)!;
    const since = Date.now();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, content: '', replyTo: answer.id, replyMention: false });
    await nextBotPost(fake, GENERAL, since);
    expect(lastBotText(fake, GENERAL)).toBe(`Caption (glance): ${(await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test' })).text}`);
  });

  it('direct messages: an image alone gets a caption, a later question is about it', async () => {
    const { fake } = bot();
    const dm = await fake.postMessage({ channelId: '7001', guildId: null, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, dm.channel_id);
    expect(lastBotText(fake, dm.channel_id)).toMatch(/^Caption \(glance\): \S/);
    const since = Date.now();
    await fake.postMessage({ channelId: dm.channel_id, guildId: null, author: ALICE, content: QUESTION });
    await nextBotPost(fake, dm.channel_id, since);
    expect(lastBotText(fake, dm.channel_id)).toBe(`Answer (glance): ${await answerTo(ASTRONAUT, QUESTION)}`);
  });

  it('a mention with no image anywhere gets the "attach an image" message', async () => {
    const { fake } = bot();
    await fake.postMessage({ channelId: '4003', author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, '4003');
    expect(lastBotText(fake, '4003')).toBe('There is no image to look at here: attach an image or reply to one.');
  });

  it('a deleted message’s image is forgotten: a later question does not find it', async () => {
    const { fake } = bot();
    const image = await fake.postMessage({ channelId: '4003', author: BOB, attachments: [PNG_ATTACHMENT] });
    for (const session of fake.gateway.liveSessions()) fake.gateway.dispatch(session, 'MESSAGE_DELETE', { id: image.id, channel_id: '4003', guild_id: fake.guildId });
    await fake.postMessage({ channelId: '4003', author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, '4003');
    expect(lastBotText(fake, '4003')).toBe('There is no image to look at here: attach an image or reply to one.');
  });

  it('the gateway drops: discord.js resumes and glance still answers', async () => {
    const { fake } = bot();
    fake.dropGateway();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, GENERAL);
    expect(fake.gatewayStats()).toMatchObject({ identifies: 1, resumes: 1 });
    expect(lastBotText(fake, GENERAL)).toMatch(/^Answer \(glance\): /);
  });

  it('a REST 429 with retry_after is honoured: the reply is sent again after the wait and arrives', async () => {
    const { fake } = bot();
    fake.rateLimitNext('POST', /^\/channels\/4001\/messages$/, 0.3);
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, GENERAL);
    const attempts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/channels/4001/messages');
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(reply.at - attempts[0].at).toBeGreaterThanOrEqual(300);
    expect(reply.body.content).toMatch(/^Answer \(glance\): /);
  });

  it('a long answer is streamed into the deferred reply with edits at least a second apart', async () => {
    const b = bot();
    await b.adapter.close();
    // a service whose answer grows for 2.5 s (the tiny model is too quick to stream); the rest of its result is real
    const template = await b.service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' });
    const slow = {
      async run(request: ServiceRequest): Promise<ServiceResult> {
        let text = '';
        for (let i = 0; i < 25; i++) {
          text += ` word${i}`;
          request.onToken?.(text.trim());
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return { ...template, text: text.trim() };
      },
    };
    b.adapter = await startDiscordAdapter({ service: slow, config: b.config, settings: b.settings, conversations: b.conversations });
    await b.fake.waitForReady();
    const run = await b.fake.slashCommand({ name: 'ask', channelId: GENERAL, user: ALICE, options: [{ name: 'question', type: 3, value: QUESTION }], attachments: { image: PNG_ATTACHMENT } });
    const responses = await waitForResponse(b.fake, run.token, (r) => r.kind === 'edit' && !String(r.data.content).endsWith('…'));
    const edits = responses.filter((r) => r.kind === 'edit');
    expect(edits.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < edits.length; i++) expect(edits[i].at - edits[i - 1].at).toBeGreaterThanOrEqual(950);
    expect(edits[0].data.content).toMatch(/^Answer \(glance\): word0 .* …$/);
    expect(finalText(responses)).toBe(`Answer (glance): ${Array.from({ length: 25 }, (_, i) => `word${i}`).join(' ')}`);
  });
});
