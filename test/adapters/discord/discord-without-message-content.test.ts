// DISCORD_MESSAGE_CONTENT=false: the bot identifies without the privileged intent; automatic alt text cannot see
// other people's images, while mentions, DMs and "Describe image" still work.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, GOLDEN_CAPTION, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse, finalText } from './discord-test-bot.ts';

const bot = useDiscordTestBot({ DISCORD_MESSAGE_CONTENT: 'false' });
const PHOTOS = '4002';

describe('without the MessageContent intent', () => {
  it('identifies without it; an opted-in channel gets no alt text, a mention in it is answered, "Describe image" works', async () => {
    const { fake, settings } = bot();
    expect((fake.gatewayStats().intents ?? 0) & (1 << 15)).toBe(0);
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const image = await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, PHOTOS);
    expect(fake.botMessages(PHOTOS)).toHaveLength(1);
    expect(lastBotText(fake, PHOTOS)).toMatch(/^Answer \(glance\): /);
    const run = await fake.messageCommand({ name: 'Describe image', channelId: PHOTOS, user: ALICE, targetMessageId: image.id });
    expect(finalText(await waitForResponse(fake, run.token, (r) => r.kind === 'edit'))).toContain(GOLDEN_CAPTION);
  });

  it('/glance alt-text on says the intent is missing', async () => {
    const { fake } = bot();
    const run = await fake.slashCommand({ name: 'glance', channelId: PHOTOS, user: ALICE, options: [{ name: 'alt-text', type: 2, options: [{ name: 'on', type: 1 }] }] });
    expect((await waitForResponse(fake, run.token, (r) => r.kind === 'callback'))[0].data.content).toMatch(/without the Message Content intent.*DISCORD_MESSAGE_CONTENT=true/);
  });
});
