// Per-user limits reach Slack users as a readable "slow down" reply, over HTTP and Socket Mode.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, GENERAL, QUESTION, useSlackTestBot, useTinyService, waitForBotMessage } from './slack-test-bot.ts';

const service = useTinyService({ GLANCE_USER_REQUESTS_PER_MINUTE: '1' });

describe.each([['http', ALICE], ['socket', BOB]] as const)('limits over %s', (mode, user) => {
  const bot = useSlackTestBot(mode, service);

  it('a second question within the minute gets "Slow down a little: …" and nothing crashes', async () => {
    const b = bot();
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user });
    const first = b.fake.mentionEvent({ channel: GENERAL, user, text: QUESTION, files: [file] });
    await b.deliverEvent(first);
    const answered = await waitForBotMessage(b.fake, GENERAL, (message) => message.thread_ts === first.event.ts);
    expect(answered.text).toBe(`Answer (glance): ${await b.expected(ASTRONAUT, QUESTION)}`);
    const second = b.fake.mentionEvent({ channel: GENERAL, user, text: QUESTION });
    await b.deliverEvent(second);
    const refused = await waitForBotMessage(b.fake, GENERAL, (message) => message.thread_ts === second.event.ts);
    expect(refused.text).toMatch(/^Slow down a little: you sent 1 requests in the last minute; try again in \d+ s\.$/);
  });
});
