// Automatic alt text and settings with the real Bolt App against the fake Slack and the real tiny model, over signed
// HTTP events and Socket Mode.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, CHELSEA, GENERAL, GOLDEN_CAPTION, PHOTOS, useSlackTestBot, useTinyService, waitForBotMessage, waitForEphemeral, type SlackTestBot } from './slack-test-bot.ts';

const service = useTinyService();

async function glance(bot: SlackTestBot, text: string, channel = PHOTOS, user = ALICE): Promise<void> {
  await bot.deliverCommand(bot.fake.slashCommand({ text, channel, user }));
}

describe.each(['http', 'socket'] as const)('automatic alt text over %s', (mode) => {
  const bot = useSlackTestBot(mode, service, { GLANCE_MAX_IMAGES_PER_MESSAGE: '2' });

  it('/glance alt-text on (by any member), then an image gets one threaded reply with the default caption (golden)', async () => {
    const b = bot();
    await glance(b, 'alt-text on', PHOTOS, BOB);
    const confirmation = await waitForBotMessage(b.fake, PHOTOS, (message) => message.text.includes('turned automatic alt text on'));
    expect(confirmation.text).toContain(`<@${BOB}>`);
    expect(b.settings.isChannelAutoAltText('slack', PHOTOS)).toBe(true);
    const file = b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    const event = b.fake.messageEvent({ channel: PHOTOS, user: ALICE, text: 'my photo', files: [file] });
    await b.deliverEvent(event);
    const reply = await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === event.event.ts);
    const caption = await b.expected(ASTRONAUT);
    expect(caption.startsWith(GOLDEN_CAPTION)).toBe(true);
    expect(reply.text).toBe(`Alt text (glance): ${caption}`);
    await glance(b, 'alt-text status', PHOTOS, ALICE);
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('Automatic alt text is'))).toBe('Automatic alt text is on in this channel.');
  });

  it('nothing in channels not opted in; images with alt_txt, bots and non-images are skipped', async () => {
    const b = bot();
    b.settings.setChannelAutoAltText('slack', PHOTOS, true);
    const image = () => b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, user: ALICE });
    await b.deliverEvent(b.fake.messageEvent({ channel: GENERAL, user: ALICE, files: [image()] }));
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT, altTxt: 'an astronaut' })] }));
    const fromBot = b.fake.messageEvent({ channel: PHOTOS, user: 'U0OTHERBOT', files: [image()] });
    Object.assign(fromBot.event, { bot_id: 'B0OTHER' });
    await b.deliverEvent(fromBot);
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'notes.txt', bytes: Buffer.from('hello'), mimetype: 'text/plain' })] }));
    // a last message that is described: every earlier one has been handled by the time its reply arrives
    const last = b.fake.messageEvent({ channel: PHOTOS, user: BOB, files: [image()] });
    await b.deliverEvent(last);
    await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === last.event.ts);
    expect(b.fake.botMessages(GENERAL)).toHaveLength(0);
    expect(b.fake.botMessages(PHOTOS)).toHaveLength(1);
  });

  it('several images are numbered with their names; beyond GLANCE_MAX_IMAGES_PER_MESSAGE they are named as skipped', async () => {
    const b = bot();
    b.settings.setChannelAutoAltText('slack', PHOTOS, true);
    const files = [
      b.fake.addFile({ name: 'astronaut.png', bytes: ASTRONAUT }),
      b.fake.addFile({ name: 'cat.png', bytes: CHELSEA }),
      b.fake.addFile({ name: 'third.png', bytes: CHELSEA }),
    ];
    const event = b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files });
    await b.deliverEvent(event);
    const reply = await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === event.event.ts);
    expect(reply.text).toBe(
      `Alt text (glance):\n1. astronaut.png: ${await b.expected(ASTRONAUT)}\n2. cat.png: ${await b.expected(CHELSEA)}\nNot described (at most 2 images per message): third.png.`,
    );
  });

  it('an opted-out user is skipped (and their images are not remembered); after opting in they get alt text', async () => {
    const b = bot();
    b.settings.setChannelAutoAltText('slack', PHOTOS, true);
    await glance(b, 'opt-out');
    expect(await waitForEphemeral(b.fake, (text) => text.startsWith('Done:'))).toMatch(/will not describe or remember/);
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'a.png', bytes: ASTRONAUT })] }));
    const bobs = b.fake.messageEvent({ channel: PHOTOS, user: BOB, files: [b.fake.addFile({ name: 'b.png', bytes: CHELSEA, user: BOB })] });
    await b.deliverEvent(bobs);
    await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === bobs.event.ts);
    expect(b.fake.botMessages(PHOTOS)).toHaveLength(1);
    await glance(b, 'opt-in');
    await waitForEphemeral(b.fake, (text) => text.includes('may describe your images again'));
    const again = b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'a.png', bytes: ASTRONAUT })] });
    await b.deliverEvent(again);
    await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === again.event.ts);
  });

  it('settings survive a restart (SQLite file in the data directory)', async () => {
    const b = bot();
    await glance(b, 'alt-text on');
    await waitForBotMessage(b.fake, PHOTOS, (message) => message.text.includes('turned automatic alt text on'));
    b.settings.setUserOptOut('slack', BOB, true);
    await b.restart();
    expect(b.settings.isChannelAutoAltText('slack', PHOTOS)).toBe(true);
    expect(b.settings.isUserOptedOut('slack', BOB)).toBe(true);
    await b.deliverEvent(b.fake.messageEvent({ channel: PHOTOS, user: BOB, files: [b.fake.addFile({ name: 'b.png', bytes: CHELSEA, user: BOB })] }));
    const event = b.fake.messageEvent({ channel: PHOTOS, user: ALICE, files: [b.fake.addFile({ name: 'a.png', bytes: ASTRONAUT })] });
    await b.deliverEvent(event);
    const reply = await waitForBotMessage(b.fake, PHOTOS, (message) => message.thread_ts === event.event.ts);
    expect(reply.text).toBe(`Alt text (glance): ${await b.expected(ASTRONAUT)}`);
    expect(b.fake.botMessages(PHOTOS).filter((message) => message.thread_ts !== undefined)).toHaveLength(1);
    await glance(b, 'alt-text off');
    await waitForBotMessage(b.fake, PHOTOS, (message) => message.text.includes('turned automatic alt text off'));
    expect(b.settings.isChannelAutoAltText('slack', PHOTOS)).toBe(false);
  });
});
