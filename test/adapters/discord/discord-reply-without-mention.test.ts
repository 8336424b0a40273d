// DISCORD_MESSAGE_CONTENT=false: a reply to glance with the reply ping turned off arrives blank (no text, no
// attachments), so glance cannot know the question: it says to @mention it instead of captioning some image.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, PNG_ATTACHMENT, QUESTION, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot({ DISCORD_MESSAGE_CONTENT: 'false' });
const GENERAL = '4001';

async function answerTo(image: Uint8Array): Promise<string> {
  return (await bot().service.run({ image, question: QUESTION, userId: 'test', channelId: 'test' })).text;
}

describe('a reply to glance without the Message Content intent', () => {
  it('without the reply ping: glance says to mention it (no caption of the latest image); with the ping: the answer', async () => {
    const { fake } = bot();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: QUESTION, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, GENERAL);
    const answer = fake.botMessages(GENERAL).at(-1)!;

    let since = Date.now();
    const unpinged = await fake.postMessage({ channelId: GENERAL, author: ALICE, content: QUESTION, replyTo: answer.id, replyMention: false });
    const hint = await nextBotPost(fake, GENERAL, since);
    expect(hint.body.message_reference.message_id).toBe(unpinged.id);
    expect(hint.body.content).toBe(
      `glance cannot read replies that do not @mention it here. Write <@${fake.botUser.id}> and your question in your message, or use "Ask about image" on the image's message (right-click → Apps).`,
    );
    expect(hint.body.allowed_mentions).toMatchObject({ parse: [] });

    since = Date.now();
    await fake.postMessage({ channelId: GENERAL, author: ALICE, content: QUESTION, replyTo: answer.id }); // pings glance: arrives whole
    const reply = await nextBotPost(fake, GENERAL, since);
    expect(reply.body.content).toBe(`Answer (glance): ${await answerTo(ASTRONAUT)}`);
  });
});
