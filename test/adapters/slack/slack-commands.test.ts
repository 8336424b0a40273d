// /glance and the "Describe image" message shortcut with the real Bolt App against the fake Slack and the tiny model,
// over signed HTTP requests and Socket Mode.
import { describe, expect, it } from 'vitest';
import { NO_IMAGE_MESSAGE } from '../../../src/conversation/conversation-manager.ts';
import { NO_IMAGE_ON_MESSAGE } from '../../../adapters/slack/describe-image-shortcut.ts';
import { OPTED_OUT_MESSAGE } from '../../../adapters/slack/consent.ts';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GENERAL, QUESTION, RANDOM, useSlackTestBot, useTinyService, waitForBotMessage, waitForEphemeral, type SlackTestBot } from './slack-test-bot.ts';

const service = useTinyService();

async function glance(b: SlackTestBot, text: string, channel = GENERAL, user = ALICE): Promise<void> {
  await b.deliverCommand(b.fake.slashCommand({ text, channel, user }));
}

describe.each(['http', 'socket'] as const)('/glance and Describe image over %s', (mode) => {
  const bot = useSlackTestBot(mode, service);

  it('/glance caption and /glance ask answer about the most recent image, in the channel', async () => {
    const b = bot();
    await glance(b, 'caption');
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('There is'))).toBe(NO_IMAGE_MESSAGE);
    await b.deliverEvent(b.fake.messageEvent({ channel: GENERAL, user: BOB, files: [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: BOB })] }));
    await glance(b, 'caption');
    const caption = await waitForBotMessage(b.fake, GENERAL, (message) => message.text.startsWith('Caption (glance): '));
    expect(caption.text).toBe(`Caption (glance): ${await b.expected(ASTRONAUT)}`);
    await glance(b, `ask ${QUESTION}`);
    const answer = await waitForBotMessage(b.fake, GENERAL, (message) => message.text.startsWith('Answer (glance): '));
    expect(answer.text).toBe(`Answer (glance): ${await b.expected(ASTRONAUT, QUESTION)}`);
    await glance(b, `ask ${'y'.repeat(4000)}`);
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('Your question'))).toBe('Your question is 4000 characters long; the limit is 500. Ask a shorter question.');
  });

  it('/glance help, privacy, an empty ask, an unknown word, and alt-text in a DM are answered privately', async () => {
    const b = bot();
    await glance(b, 'help');
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('*glance*'))).toContain('/glance alt-text on|off|status');
    await glance(b, 'privacy');
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('*What glance keeps*'))).toContain('Image bytes are never stored');
    await glance(b, 'ask');
    await waitForEphemeral(b.fake, (text) => text.startsWith('Ask a question'));
    await glance(b, 'dance');
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('Unknown /glance command'))).toContain('Usage:');
    await glance(b, 'alt-text on', 'D0ALICE');
    await waitForEphemeral(b.fake, (text) => text.startsWith('Automatic alt text is for channels'));
    expect(b.fake.botMessages(GENERAL)).toHaveLength(0);
  });

  it('Describe image: alt text for the message’s images in its thread; no image or an opted-out author → a private note', async () => {
    const b = bot();
    const files = [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, altTxt: 'already described' }), b.fake.addFile({ name: 'cat.png', bytes: CHELSEA })];
    const posted = b.fake.storeMessage({ channel: GENERAL, user: BOB, text: 'two pictures', files });
    await b.deliverInteraction(b.fake.messageShortcut({ callbackId: 'describe_image', channel: GENERAL, user: ALICE, messageTs: posted.ts }));
    const reply = await waitForBotMessage(b.fake, GENERAL, (message) => message.thread_ts === posted.ts);
    expect(reply.text).toBe(`Alt text (glance):\n1. astronaut.png: ${await b.expected(ASTRONAUT)}\n2. cat.png: ${await b.expected(CHELSEA)}`);

    const plain = b.fake.storeMessage({ channel: GENERAL, user: BOB, text: 'no pictures' });
    await b.deliverInteraction(b.fake.messageShortcut({ callbackId: 'describe_image', channel: GENERAL, user: ALICE, messageTs: plain.ts }));
    expect(await waitForEphemeral(b.fake, (text) => text === NO_IMAGE_ON_MESSAGE)).toBe(NO_IMAGE_ON_MESSAGE);

    b.settings.setUserOptOut('slack', BOB, true);
    await b.deliverInteraction(b.fake.messageShortcut({ callbackId: 'describe_image', channel: GENERAL, user: ALICE, messageTs: posted.ts }));
    expect(await waitForEphemeral(b.fake, (text) => text === OPTED_OUT_MESSAGE)).toBe(OPTED_OUT_MESSAGE);
    expect(b.fake.botMessages(GENERAL)).toHaveLength(1);
  });

  it('Describe image in a channel glance is not in: the alt text comes back privately', async () => {
    const b = bot();
    const posted = b.fake.storeMessage({ channel: RANDOM, user: BOB, files: [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })] });
    b.fake.leaveChannel(RANDOM);
    await b.deliverInteraction(b.fake.messageShortcut({ callbackId: 'describe_image', channel: RANDOM, user: ALICE, messageTs: posted.ts }));
    const text = await waitForEphemeral(b.fake, (message) => message.startsWith('Alt text (glance): '));
    expect(text).toBe(`Alt text (glance): ${await b.expected(ASTRONAUT)}`);
  });
});
