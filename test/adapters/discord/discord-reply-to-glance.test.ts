// A reply to glance's own message (its alt text, caption or answer) is about the image glance was writing about, not
// the channel's latest image: glance's message carries no image, so glance follows what that message replied to.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, TINY_OPT } from '../../helpers/fixtures.ts';
import { ALICE, ASTRONAUT, BOB, CHELSEA, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const PHOTOS = '4002';
const CHELSEA_ATTACHMENT = { filename: 'chelsea.png', bytes: CHELSEA, contentType: 'image/png', width: 451, height: 300 };
/** transformers' greedy answer (max_new_tokens 20) to the vqa_what prompt about chelsea.png. */
const GOLDEN_CHELSEA_ANSWER: string = readJson(join(TINY_OPT, 'goldens.json')).images['chelsea.png'].generate.vqa_what_greedy.outputs[0].text_stripped;

async function answerTo(image: Uint8Array): Promise<string> {
  return (await bot().service.run({ image, question: QUESTION, userId: 'test', channelId: 'test' })).text;
}

/** Posts `input` and waits for glance's reply to it; returns glance's message. */
async function postAndAwaitReply(input: Parameters<ReturnType<typeof bot>['fake']['postMessage']>[0]) {
  const { fake } = bot();
  const since = Date.now();
  await fake.postMessage(input);
  await nextBotPost(fake, input.channelId, since);
  return fake.botMessages(input.channelId).at(-1)!;
}

describe('a reply to glance’s own message', () => {
  it('to its alt text for the first of two images: the answer is about that first image', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const since = Date.now();
    await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [CHELSEA_ATTACHMENT] });
    await nextBotPost(fake, PHOTOS, since);
    const altText = fake.botMessages(PHOTOS).at(-1)!;
    expect(altText.content).toMatch(/^Alt text \(glance\): /);
    await postAndAwaitReply({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] }); // the channel's latest image now
    await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, content: QUESTION, replyTo: altText.id });
    const expected = await answerTo(CHELSEA);
    expect(expected.startsWith(GOLDEN_CHELSEA_ANSWER)).toBe(true);
    expect(lastBotText(fake, PHOTOS)).toBe(`Answer (glance): ${expected}`);
  });

  it('to its answer, and to the answer of that follow-up: both stay about the first image', async () => {
    const { fake } = bot();
    const first = await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: QUESTION, attachments: [CHELSEA_ATTACHMENT] });
    expect(first.content).toBe(`Answer (glance): ${await answerTo(CHELSEA)}`);
    await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] });
    const second = await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, content: QUESTION, replyTo: first.id });
    expect(second.content).toBe(`Answer (glance): ${await answerTo(CHELSEA)}`);
    // glance's second answer replied to a question without an image, which replied to glance's first answer
    const third = await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, content: QUESTION, replyTo: second.id });
    expect(third.content).toBe(`Answer (glance): ${await answerTo(CHELSEA)}`);
    expect(third.content.startsWith(`Answer (glance): ${GOLDEN_CHELSEA_ANSWER}`)).toBe(true);
    // a question that replies to nothing is about the channel's latest image, as before
    const plain = await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: QUESTION });
    expect(plain.content).toBe(`Answer (glance): ${await answerTo(ASTRONAUT)}`);
  });

  it('the first image is found even after it was forgotten (the messages are fetched from Discord)', async () => {
    const { fake, conversations } = bot();
    const question = await fake.postMessage({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: QUESTION, attachments: [CHELSEA_ATTACHMENT] });
    await nextBotPost(fake, PHOTOS);
    const first = fake.botMessages(PHOTOS).at(-1)!;
    await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] });
    conversations.forgetMessage({ platform: 'discord', workspace: fake.guildId, channel: PHOTOS }, question.id);
    const answer = await postAndAwaitReply({ channelId: PHOTOS, author: ALICE, content: QUESTION, replyTo: first.id });
    expect(answer.content).toBe(`Answer (glance): ${await answerTo(CHELSEA)}`);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/channels/${PHOTOS}/messages/${question.id}`)).toBe(true);
  });
});
