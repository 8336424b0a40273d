// More images than GLANCE_MAX_IMAGES_PER_MESSAGE (4 by default) on a question: the first 4 are described, one
// numbered line each, and the rest are named as skipped.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, PNG_ATTACHMENT, QUESTION, finalText, nextBotPost, useDiscordTestBot, waitForResponse } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const GENERAL = '4001';
const SIX_IMAGES = Array.from({ length: 6 }, (_, i) => ({ ...PNG_ATTACHMENT, filename: `photo${i + 1}.png` }));

describe('images over the per-message limit', () => {
  it('a mention with 6 images: 4 numbered answers, and the 2 skipped named', async () => {
    const { fake, service, config } = bot();
    expect(config.limits.maxImagesPerMessage).toBe(4);
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: SIX_IMAGES });
    const reply = await nextBotPost(fake, GENERAL);
    const answer = (await service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(reply.body.content).toBe(
      ['Answer (glance):', ...[1, 2, 3, 4].map((n) => `${n}. ${answer}`), 'Not described (at most 4 images per message): photo5.png, photo6.png.'].join('\n'),
    );
  });

  it('"Describe image" on a message with 6 images: 4 numbered alt texts, and the 2 skipped named', async () => {
    const { fake, service } = bot();
    const target = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: SIX_IMAGES });
    const run = await fake.messageCommand({ name: 'Describe image', channelId: GENERAL, user: ALICE, targetMessageId: target.id });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'edit');
    const caption = (await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test' })).text;
    expect(finalText(responses)).toBe(
      ['Alt text (glance):', ...[1, 2, 3, 4].map((n) => `${n}. ${caption}`), 'Not described (at most 4 images per message): photo5.png, photo6.png.'].join('\n'),
    );
  });

  it('"Ask about image" on a message with 6 images: 4 numbered answers, and the 2 skipped named', async () => {
    const { fake, service } = bot();
    const target = await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: SIX_IMAGES });
    const run = await fake.messageCommand({ name: 'Ask about image', channelId: GENERAL, user: ALICE, targetMessageId: target.id });
    const [modal] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    const submit = await fake.modalSubmit({ customId: modal.data.custom_id, channelId: GENERAL, user: ALICE, values: { question: QUESTION } });
    const responses = await waitForResponse(fake, submit.token, (r) => r.kind === 'edit');
    const answer = (await service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(finalText(responses)).toBe(
      ['Answer (glance):', ...[1, 2, 3, 4].map((n) => `${n}. ${answer}`), 'Not described (at most 4 images per message): photo5.png, photo6.png.'].join('\n'),
    );
  });

  it('/ask without an image, after a message with 6 images: 4 numbered answers, and the 2 skipped named', async () => {
    const { fake, service } = bot();
    await fake.postMessage({ channelId: GENERAL, author: BOB, attachments: SIX_IMAGES });
    const run = await fake.slashCommand({ name: 'ask', channelId: GENERAL, user: ALICE, options: [{ name: 'question', type: 3, value: QUESTION }] });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'edit');
    const answer = (await service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(finalText(responses)).toBe(
      ['Answer (glance):', ...[1, 2, 3, 4].map((n) => `${n}. ${answer}`), 'Not described (at most 4 images per message): photo5.png, photo6.png.'].join('\n'),
    );
  });
});
