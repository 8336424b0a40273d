// @mention and DM questions with the real Bolt App against the fake Slack and the real tiny model, over signed HTTP
// events and over Socket Mode.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationKey } from '../../../adapters/slack/conversation-key.ts';
import { NO_IMAGE_MESSAGE } from '../../../src/conversation/conversation-manager.ts';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GENERAL, GOLDEN_ANSWER, QUESTION, RANDOM, useSlackTestBot, useTinyService, waitForBotMessage } from './slack-test-bot.ts';

const service = useTinyService();

describe.each(['http', 'socket'] as const)('questions over %s', (mode) => {
  const bot = useSlackTestBot(mode, service);

  it('a mention in a thread with an image gets the golden VQA answer in that thread', async () => {
    const { fake, deliverEvent, expected } = bot();
    const file = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const root = fake.storeMessage({ channel: GENERAL, user: ALICE, text: 'look', files: [file] });
    await deliverEvent(fake.mentionEvent({ channel: GENERAL, user: BOB, text: QUESTION, threadTs: root.ts }));
    const answer = await expected(ASTRONAUT, QUESTION);
    expect(answer.startsWith(GOLDEN_ANSWER)).toBe(true);
    const reply = await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === root.ts && !message.text.endsWith('…'));
    expect(reply.text).toBe(`Answer (glance): ${answer}`);
    // the thread's root was read with conversations.replies (glance had not seen it)
    expect(fake.calls.some((call) => call.method === 'conversations.replies' && call.args.ts === root.ts)).toBe(true);
  });

  it('a mention on a message with an image is answered in a new thread on that message; no question = a caption', async () => {
    const { fake, deliverEvent, expected } = bot();
    const file = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const event = fake.mentionEvent({ channel: GENERAL, user: ALICE, text: '', files: [file] });
    await deliverEvent(event);
    const reply = await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === event.event.ts);
    expect(reply.text).toBe(`Caption (glance): ${await expected(ASTRONAUT)}`);
    const post = await fake.waitForCall('chat.postMessage');
    expect(post.token).toBe(fake.botToken);
  });

  it('a follow-up in the thread is about the image the thread started with, even after a newer image in the channel', async () => {
    const { fake, deliverEvent, expected } = bot();
    const cat = fake.addFile({ name: 'chelsea.png', bytes: CHELSEA, user: ALICE });
    const first = fake.messageEvent({ channel: GENERAL, user: ALICE, files: [cat] });
    await deliverEvent(first);
    const astronaut = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: BOB });
    await deliverEvent(fake.messageEvent({ channel: GENERAL, user: BOB, files: [astronaut] }));
    await deliverEvent(fake.mentionEvent({ channel: GENERAL, user: BOB, text: QUESTION, threadTs: first.event.ts }));
    const reply = await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === first.event.ts);
    expect(reply.text).toBe(`Answer (glance): ${await expected(CHELSEA, QUESTION)}`);
    // a mention outside any thread is about the channel's most recent image
    const top = fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION });
    await deliverEvent(top);
    const second = await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === top.event.ts);
    expect(second.text).toBe(`Answer (glance): ${await expected(ASTRONAUT, QUESTION)}`);
    // the conversation remembers each image's content hash once it has been read
    const remembered = bot().conversations.resolve({ key: conversationKey(fake.teamId, GENERAL), messageId: '' }).images;
    expect(remembered.map((image) => image.imageHash)).toEqual([createHash('sha256').update(ASTRONAUT).digest('hex')]);
  });

  it('direct messages work: an image, then a question about it', async () => {
    const { fake, deliverEvent, expected } = bot();
    const file = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const dm = 'D0ALICE';
    const image = fake.messageEvent({ channel: dm, user: ALICE, files: [file], channelType: 'im' });
    await deliverEvent(image);
    const caption = await waitForBotMessage(fake, dm, (message) => message.thread_ts === image.event.ts);
    expect(caption.text).toBe(`Caption (glance): ${await expected(ASTRONAUT)}`);
    const question = fake.messageEvent({ channel: dm, user: ALICE, text: QUESTION, channelType: 'im' });
    await deliverEvent(question);
    const answer = await waitForBotMessage(fake, dm, (message) => message.thread_ts === question.event.ts);
    expect(answer.text).toBe(`Answer (glance): ${await expected(ASTRONAUT, QUESTION)}`);
  });

  it('the same event delivered three times (retries) produces exactly one reply', async () => {
    const { fake, deliverEvent } = bot();
    const file = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const event = fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file] });
    await deliverEvent(event);
    await deliverEvent(event, { retryNum: 1 });
    await deliverEvent(event, { retryNum: 2 });
    await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === event.event.ts && message.text.startsWith('Answer (glance): '));
    // a later event's reply arrives after any second reply to the first would have
    const later = fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION });
    await deliverEvent(later);
    await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === later.event.ts);
    expect(fake.botMessages(GENERAL).filter((message) => message.thread_ts === event.event.ts)).toHaveLength(1);
    expect(fake.calls.filter((call) => call.method === 'chat.postMessage' && call.args.thread_ts === event.event.ts)).toHaveLength(1);
  });

  it('files that arrive as an id only are looked up with files.info', async () => {
    const { fake, deliverEvent, expected } = bot();
    const file = fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const event = fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file], idOnlyFiles: true });
    expect(event.event.files[0].url_private).toBeUndefined();
    await deliverEvent(event);
    const reply = await waitForBotMessage(fake, GENERAL, (message) => message.thread_ts === event.event.ts);
    expect(reply.text).toBe(`Answer (glance): ${await expected(ASTRONAUT, QUESTION)}`);
    expect(fake.calls.some((call) => call.method === 'files.info' && call.args.file === file.id)).toBe(true);
  });

  it('a deleted message’s image is forgotten; someone who opted out can still ask about their own image', async () => {
    const { fake, deliverEvent, expected, settings } = bot();
    const posted = fake.messageEvent({ channel: RANDOM, user: ALICE, files: [fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })] });
    await deliverEvent(posted);
    const deleted = fake.messageEvent({ channel: RANDOM, user: ALICE, text: 'placeholder' });
    deleted.event = { type: 'message', subtype: 'message_deleted', channel: RANDOM, hidden: true, ts: deleted.event.ts, deleted_ts: posted.event.ts, previous_message: posted.event, event_ts: deleted.event.ts, channel_type: 'channel' };
    await deliverEvent(deleted);
    const question = fake.mentionEvent({ channel: RANDOM, user: BOB, text: QUESTION });
    await deliverEvent(question);
    expect((await waitForBotMessage(fake, RANDOM, (message) => message.thread_ts === question.event.ts)).text).toBe(NO_IMAGE_MESSAGE);

    settings.setUserOptOut('slack', ALICE, true);
    const own = fake.mentionEvent({ channel: RANDOM, user: ALICE, text: QUESTION, files: [fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })] });
    await deliverEvent(own);
    const answer = await waitForBotMessage(fake, RANDOM, (message) => message.thread_ts === own.event.ts);
    expect(answer.text).toBe(`Answer (glance): ${await expected(ASTRONAUT, QUESTION)}`);
  });
});
