// Automatic alt text is work nobody asked for: a refused request (here: over the per-user rate limit) posts nothing,
// neither does a message whose only image cannot be read; when one image of several is unreadable, its line is part of
// the attributed reply. Real Bolt against the fake Slack (signed HTTP events), the real tiny model with one request per
// user per minute. Restarting the adapter drains its in-flight work, so "nothing posted" is checked after every event
// has been handled.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, PHOTOS, useSlackTestBot, useTinyService, waitForBotMessage } from './slack-test-bot.ts';

const LIMITS = { GLANCE_USER_REQUESTS_PER_MINUTE: '1' };
const service = useTinyService(LIMITS);
const CAROL = 'U0CAROL';

describe('automatic alt text never posts only a failure (Slack)', () => {
  const bot = useSlackTestBot('http', service, LIMITS);

  it('a second image from a user over the rate limit gets no reply; the first one got its alt text', async () => {
    const b = bot();
    b.settings.setChannelAutoAltText('slack', PHOTOS, true);
    const first = b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })] });
    await b.deliverEvent(first);
    const reply = await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === first.event.ts);
    expect(reply.text).toBe(`Alt text (glance): ${await b.expected(ASTRONAUT)}`);
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'again.png', bytes: ASTRONAUT })] }));
    await b.restart();
    expect(b.fake.botMessages(PHOTOS)).toHaveLength(1);
  });

  it('a message whose one image is unreadable gets no reply; next to a readable image it is a numbered line', async () => {
    const b = bot();
    b.settings.setChannelAutoAltText('slack', PHOTOS, true);
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: CAROL, files: [b.fake.addFile({ name: 'empty.png', bytes: new Uint8Array(0) })] }));
    const mixed = b.fake.messageEvent({ channel: PHOTOS, user: BOB, files: [b.fake.addFile({ name: 'empty.png', bytes: new Uint8Array(0) }), b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT })] });
    await b.deliverEvent(mixed);
    const reply = await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === mixed.event.ts);
    expect(reply.text).toBe(`Alt text (glance):\n1. empty.png: (could not be read: The file is empty (0 bytes).)\n2. astronaut.png: ${await b.expected(ASTRONAUT)}`);
    await b.restart();
    expect(b.fake.botMessages(PHOTOS)).toHaveLength(1);
  });
});
