// Automatic alt text with the real discord.js client against the fake Discord and the real tiny model.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, GOLDEN_CAPTION, OTHER_BOT, PNG_ATTACHMENT, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const PHOTOS = '4002';
const GENERAL = '4001';

async function optIn(channelId = PHOTOS): Promise<void> {
  const { fake } = bot();
  const run = await fake.slashCommand({ name: 'glance', channelId, user: ALICE, options: [{ name: 'alt-text', type: 2, options: [{ name: 'on', type: 1 }] }] });
  const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
  expect(responses[0].data.content).toMatch(/Automatic alt text is now on/);
  expect(responses[0].data.flags & 64).toBe(64);
}

describe('automatic alt text', () => {
  it('an image posted in an opted-in channel gets one reply: attribution first, the caption the service gives by default (golden)', async () => {
    const { fake, service } = bot();
    await optIn();
    const posted = await fake.postMessage({ channelId: PHOTOS, author: ALICE, content: 'my photo', attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, PHOTOS);
    const expected = (await service.run({ image: ASTRONAUT, userId: 'test', channelId: 'test' })).text;
    expect(expected.startsWith(GOLDEN_CAPTION)).toBe(true);
    expect(reply.body.content).toBe(`Alt text (glance): ${expected}`);
    expect(reply.body.message_reference.message_id).toBe(posted.id);
    expect(reply.body.allowed_mentions).toMatchObject({ parse: [] });
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === `/channels/${PHOTOS}/typing`)).toBe(true);
  });

  it('a channel not opted in gets nothing; neither do bots, images with a description, or non-image files', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    await fake.postMessage({ channelId: GENERAL, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: OTHER_BOT, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [{ ...PNG_ATTACHMENT, description: 'an astronaut' }] });
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [{ filename: 'notes.txt', bytes: Buffer.from('hello'), contentType: 'text/plain; charset=utf-8' }] });
    // a last message that is described: every earlier one has been handled by the time its reply arrives
    await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [{ ...PNG_ATTACHMENT, filename: 'last.png' }] });
    await nextBotPost(fake, PHOTOS);
    expect(fake.botMessages(GENERAL)).toHaveLength(0);
    expect(fake.botMessages(PHOTOS)).toHaveLength(1);
    expect(fake.cdnRequests.filter((r) => r.path.includes('notes.txt'))).toHaveLength(0);
  });

  it('a video (Discord reports width and height for it too) gets no reply and is not downloaded; an image next to it is described alone', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const video = { filename: 'clip.mp4', bytes: Buffer.from('not really an mp4'), contentType: 'video/mp4', width: 1280, height: 720 };
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [video] });
    // a later message with an image and a video: handled after the first, and described as one image
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [{ ...video, filename: 'other.mp4' }, PNG_ATTACHMENT] });
    await nextBotPost(fake, PHOTOS);
    expect(fake.botMessages(PHOTOS)).toHaveLength(1);
    expect(lastBotText(fake, PHOTOS)).toMatch(/^Alt text \(glance\): [^\n]+$/);
    expect(fake.cdnRequests.filter((r) => r.path.endsWith('.mp4'))).toHaveLength(0);
  });

  it('an opted-out user is skipped; after opting in again they get alt text', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const out = await fake.slashCommand({ name: 'glance', channelId: PHOTOS, user: ALICE, options: [{ name: 'opt-out', type: 1 }] });
    expect((await waitForResponse(fake, out.token, (r) => r.kind === 'callback'))[0].data.content).toMatch(/will not describe/);
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] });
    const first = await nextBotPost(fake, PHOTOS);
    expect(fake.botMessages(PHOTOS)).toHaveLength(1);
    expect(first.body.message_reference.message_id).not.toBeUndefined();
    const back = await fake.slashCommand({ name: 'glance', channelId: PHOTOS, user: ALICE, options: [{ name: 'opt-in', type: 1 }] });
    await waitForResponse(fake, back.token, (r) => r.kind === 'callback');
    const since = Date.now();
    const posted = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const second = await nextBotPost(fake, PHOTOS, since);
    expect(second.body.message_reference.message_id).toBe(posted.id);
  });

  it('turning alt text on needs Manage Channels: refused politely without it', async () => {
    const { fake, settings } = bot();
    const run = await fake.slashCommand({ name: 'glance', channelId: PHOTOS, user: BOB, memberPermissions: 0n, options: [{ name: 'alt-text', type: 2, options: [{ name: 'on', type: 1 }] }] });
    const [response] = await waitForResponse(fake, run.token, (r) => r.kind === 'callback');
    expect(response.data.content).toMatch(/Manage Channels/);
    expect(response.data.flags & 64).toBe(64);
    expect(settings.isChannelAutoAltText('discord', PHOTOS)).toBe(false);
    const status = await fake.slashCommand({ name: 'glance', channelId: PHOTOS, user: BOB, memberPermissions: 0n, options: [{ name: 'alt-text', type: 2, options: [{ name: 'status', type: 1 }] }] });
    expect((await waitForResponse(fake, status.token, (r) => r.kind === 'callback'))[0].data.content).toBe('Automatic alt text is off in this channel.');
  });

  it('settings survive a restart (SQLite file in the data directory)', async () => {
    const b = bot();
    await optIn();
    b.settings.setUserOptOut('discord', BOB.id, true);
    await b.restart();
    expect(b.settings.isChannelAutoAltText('discord', PHOTOS)).toBe(true);
    await b.fake.waitForReady();
    await b.fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT] });
    const posted = await b.fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(b.fake, PHOTOS);
    expect(reply.body.message_reference.message_id).toBe(posted.id);
    expect(lastBotText(b.fake, PHOTOS)).toMatch(/^Alt text \(glance\): /);
  });
});
