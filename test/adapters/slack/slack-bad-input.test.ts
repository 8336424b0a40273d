// Bad input with the real Bolt App against the fake Slack and the tiny model, over signed HTTP events and Socket
// Mode: lying or empty files, huge images, no image anywhere, a 4,000-character question, the files:read login page,
// a channel glance has left, malformed event bodies; and (HTTP) bad signatures and stale timestamps.
import { describe, expect, it } from 'vitest';
import { MISSING_FILES_READ_MESSAGE } from '../../../adapters/slack/file-download.ts';
import { NO_IMAGE_MESSAGE } from '../../../src/conversation/conversation-manager.ts';
import { blankPng } from '../../helpers/test-images.ts';
import { ALICE, ASTRONAUT, GENERAL, QUESTION, RANDOM, useSlackTestBot, useTinyService, waitForBotMessage, type SlackTestBot } from './slack-test-bot.ts';

const service = useTinyService();

/** Mentions glance with `text` (and files) in GENERAL and returns the text of its reply in the thread. */
async function ask(b: SlackTestBot, text: string, files: ReturnType<SlackTestBot['fake']['addFile']>[] = [], channel = GENERAL): Promise<string> {
  const event = b.fake.mentionEvent({ channel, user: ALICE, text, files });
  await b.deliverEvent(event);
  return (await waitForBotMessage(b.fake, channel, (message) => message.thread_ts === event.event.ts)).text;
}

describe.each(['http', 'socket'] as const)('bad input over %s', (mode) => {
  const bot = useSlackTestBot(mode, service);

  it('a file whose mimetype lies, an empty file and a text file: readable answers, no crash', async () => {
    const b = bot();
    const lying = b.fake.addFile({ name: 'photo.png', bytes: Buffer.from('this is not a picture'), mimetype: 'image/png' });
    expect(await ask(b, QUESTION, [lying])).toBe('The file is not an image glance can read (JPEG, PNG, WebP, GIF or TIFF), whatever its name or type says.');
    const empty = b.fake.addFile({ name: 'empty.png', bytes: new Uint8Array(0) });
    expect(await ask(b, QUESTION, [empty])).toBe('The file is empty (0 bytes).');
    const text = b.fake.addFile({ name: 'notes.txt', bytes: Buffer.from('hello'), mimetype: 'text/plain' });
    expect(await ask(b, QUESTION, [text], RANDOM)).toBe(NO_IMAGE_MESSAGE);
    expect(b.fake.fileRequests.some((request) => request.path.includes('notes.txt'))).toBe(false);
  });

  it('huge images: over GLANCE_MAX_IMAGE_MB refused before downloading; over GLANCE_MAX_PIXELS refused by the engine', async () => {
    const b = bot();
    const big = b.fake.addFile({ name: 'big.png', bytes: Buffer.concat([ASTRONAUT, Buffer.alloc(2 * 1024 * 1024)]) });
    expect(await ask(b, QUESTION, [big])).toMatch(/^The image is 2\.\d MB; glance reads images up to 1 MB\. Post a smaller version of it\.$/);
    expect(b.fake.fileRequests.some((request) => request.path.includes('big.png'))).toBe(false);
    const wide = b.fake.addFile({ name: 'wide.png', bytes: blankPng(2000, 1000) });
    expect(await ask(b, QUESTION, [wide])).toBe('The image is 2000x1000 (2.0 MP), above the limit of 1.0 MP; send a smaller image.');
  });

  it('a mention with no image anywhere, and a 4,000-character question', async () => {
    const b = bot();
    expect(await ask(b, QUESTION)).toBe(NO_IMAGE_MESSAGE);
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT });
    expect(await ask(b, 'x'.repeat(4000), [file])).toBe('Your question is 4000 characters long; the limit is 500. Ask a shorter question.');
  });

  it('a download answered with Slack’s HTML login page says the files:read scope is missing', async () => {
    const b = bot();
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, loginPage: true });
    expect(await ask(b, QUESTION, [file])).toBe(MISSING_FILES_READ_MESSAGE);
    expect(b.fake.fileRequests.find((request) => request.path.includes('astronaut.png'))).toMatchObject({ status: 302, authorization: `Bearer ${b.fake.botToken}` });
  });

  it('an event from a channel glance has left: the failed reply is logged, glance keeps working', async () => {
    const b = bot();
    b.fake.leaveChannel(GENERAL);
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT });
    await b.deliverEvent(b.fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file] }));
    const refused = await b.fake.waitForCall('chat.postMessage', (call) => call.args.channel === GENERAL);
    expect(refused.response).toMatchObject({ ok: false, error: 'not_in_channel' });
    expect(await ask(b, QUESTION, [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })], RANDOM)).toBe(`Answer (glance): ${await b.expected(ASTRONAUT, QUESTION)}`);
  });

  it('malformed event bodies are dropped without a crash', async () => {
    const b = bot();
    const valid = b.fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION });
    const malformed = [
      { ...valid, event_id: 'EvBad1', event: { type: 'app_mention' } },
      { ...valid, event_id: 'EvBad2', event: { type: 'app_mention', channel: GENERAL, user: ALICE, ts: '1.1', files: 'nope', text: 42 } },
      { ...valid, event_id: 'EvBad3', event: { type: 'message', channel: GENERAL, user: ALICE, ts: '1.2', files: [null, { id: 7 }, { nothing: true }] } },
      { ...valid, event_id: 'EvBad4', event: { type: 'message', subtype: 'message_deleted', channel: 5 } },
      // Over Socket Mode an `event: null` envelope breaks @slack/socket-mode 3.1 itself (it reads payload.event.type
      // before Bolt sees it: an unhandled rejection in the library), so that one is only sent over HTTP.
      ...(mode === 'http' ? [{ ...valid, event_id: 'EvBad5', event: null }] : []),
    ];
    for (const body of malformed) await b.deliverEvent(body);
    if (mode === 'http') {
      const garbage = await b.fake.postEvent(b.url!, 'this is not json');
      expect(garbage.status).toBeGreaterThanOrEqual(400);
    }
    // the one with a channel, user and ts but a broken files field is answered as a question without an image
    await waitForBotMessage(b.fake, GENERAL, (message) => message.thread_ts === '1.1');
    expect(await ask(b, QUESTION, [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })])).toBe(`Answer (glance): ${await b.expected(ASTRONAUT, QUESTION)}`);
  });
});

describe('HTTP request verification', () => {
  const bot = useSlackTestBot('http', service);

  it('a bad signature and a stale timestamp are rejected (401) and nothing is answered', async () => {
    const b = bot();
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT });
    const forged = await b.fake.postEvent(b.url!, b.fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file] }), { badSignature: true });
    expect(forged.status).toBe(401);
    const stale = await b.fake.postEvent(b.url!, b.fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file] }), { timestampOffsetSec: -600 });
    expect(stale.status).toBe(401);
    const staleCommand = await b.fake.postCommand(b.url!, b.fake.slashCommand({ text: 'alt-text on', channel: GENERAL, user: ALICE }), { timestampOffsetSec: -600 });
    expect(staleCommand.status).toBe(401);
    expect(b.settings.isChannelAutoAltText('slack', GENERAL)).toBe(false);
    // a correctly signed event is answered, and it is the only reply
    const event = b.fake.mentionEvent({ channel: GENERAL, user: ALICE, text: QUESTION, files: [file] });
    await b.deliverEvent(event);
    await waitForBotMessage(b.fake, GENERAL, (message) => message.thread_ts === event.event.ts);
    expect(b.fake.botMessages(GENERAL)).toHaveLength(1);
  });
});
