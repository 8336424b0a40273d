// A user who opted out is not remembered, but glance still answers them about their own images: the image on their
// question, the image of their message they reply to, and "Ask about image" on their own message.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GOLDEN_ANSWER, PNG_ATTACHMENT, QUESTION, finalText, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const GENERAL = '4001';
const CHELSEA_ATTACHMENT = { filename: 'chelsea.png', bytes: CHELSEA, contentType: 'image/png', width: 451, height: 300 };

async function answerTo(image: Uint8Array): Promise<string> {
  return (await bot().service.run({ image, question: QUESTION, userId: 'test', channelId: 'test' })).text;
}

describe('an opted-out user asking about their own images', () => {
  it('a mention with an attached image is answered about that image (not the channel’s recent one), which is not remembered', async () => {
    const { fake, settings, conversations } = bot();
    settings.setUserOptOut('discord', ALICE.id, true);
    const cat = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [CHELSEA_ATTACHMENT] });
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, GENERAL);
    const expected = await answerTo(ASTRONAUT);
    expect(expected.startsWith(GOLDEN_ANSWER)).toBe(true);
    expect(reply.body.content).toBe(`Answer (glance): ${expected}`);
    const latest = conversations.resolve({ key: { platform: 'discord', workspace: fake.guildId, channel: GENERAL }, messageId: 'none' });
    expect(latest.images.map((image) => image.messageId)).toEqual([cat.id]);
  });

  it('a mention replying to their own earlier image is answered about that image', async () => {
    const { fake, settings } = bot();
    settings.setUserOptOut('discord', ALICE.id, true);
    const own = await fake.postMessage({ channelId: GENERAL, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: [CHELSEA_ATTACHMENT] });
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, replyTo: own.id, replyMention: false });
    await nextBotPost(fake, GENERAL);
    expect(lastBotText(fake, GENERAL)).toBe(`Answer (glance): ${await answerTo(ASTRONAUT)}`);
  });

  it('"Ask about image" on their own message is answered (golden VQA answer)', async () => {
    const { fake, settings } = bot();
    settings.setUserOptOut('discord', ALICE.id, true);
    const own = await fake.postMessage({ channelId: GENERAL, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const run = await fake.messageCommand({ name: 'Ask about image', channelId: GENERAL, user: ALICE, targetMessageId: own.id });
    const [modal] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(modal.type).toBe(9); // MODAL
    const submit = await fake.modalSubmit({ customId: modal.data.custom_id, channelId: GENERAL, user: ALICE, values: { question: QUESTION } });
    const responses = await waitForResponse(fake, submit.token, (r) => r.kind === 'edit' || r.kind === 'followup');
    expect(finalText(responses)).toBe(`Answer (glance): ${await answerTo(ASTRONAUT)}`);
    expect(finalText(responses)).toContain(GOLDEN_ANSWER);
  });

  it('"Ask about image" by someone else on the opted-out user’s message is still refused', async () => {
    const { fake, settings } = bot();
    settings.setUserOptOut('discord', ALICE.id, true);
    const own = await fake.postMessage({ channelId: GENERAL, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const run = await fake.messageCommand({ name: 'Ask about image', channelId: GENERAL, user: BOB, targetMessageId: own.id });
    const [refused] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(refused.data).toMatchObject({ flags: 64, content: 'The author of that message opted out of glance, so its images are not described.' });
  });
});
