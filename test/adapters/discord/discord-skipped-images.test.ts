// More images than GLANCE_MAX_IMAGES_PER_MESSAGE (4 by default) on a question: the first 4 are described, one
// numbered line each, and the rest are named as skipped.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, PNG_ATTACHMENT, QUESTION, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

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
});
