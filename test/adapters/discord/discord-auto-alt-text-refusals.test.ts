// Automatic alt text is work nobody asked for: a refused request (queue full, rate limited) is logged and nothing is
// posted, and neither is a reply that would only say that the one image could not be read; when one image of several
// is unreadable, its line is part of the attributed reply. Real discord.js against the fake Discord, the real tiny model
// with a one-request queue and one request per user per minute, and the adapter's log read back.
import { describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../../helpers/chat-test-service.ts';
import { ALICE, BOB, GOLDEN_CAPTION, PNG_ATTACHMENT, lastBotText, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

// 2015 new tokens: all the room the tiny model's 2048 positions leave after the image's 32 and BOS.
const LONGEST = 2015;
const bot = useDiscordTestBot({ GLANCE_QUEUE_SIZE: '1', GLANCE_USER_REQUESTS_PER_MINUTE: '1', GLANCE_MAX_NEW_TOKENS: String(LONGEST) });
const PHOTOS = '4002';
const EMPTY_PNG = { filename: 'empty.png', bytes: new Uint8Array(), contentType: 'image/png' };
const REFUSED = 'automatic alt text refused (nobody asked, so nothing is posted)';

const logged = (message: string, messageId: string) => bot().logged((line) => line.msg === message && line.message === messageId, `"${message}" for ${messageId}`);
const postsIn = (channelId: string) => bot().fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 1000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('automatic alt text does not post refusals', () => {
  it('queue full (BUSY): logged, nothing posted in the channel', async () => {
    const { fake, settings, service } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    // the longest possible request on the engine (cancelled once the test has seen what it needs) and another
    // waiting behind it fill the one-request queue
    const stopLong = new AbortController();
    const long = service.run({ image: ASTRONAUT, userId: 'filler-1', channelId: 'elsewhere', signal: stopLong.signal, generation: { minNewTokens: LONGEST, maxNewTokens: LONGEST } });
    await until(() => service.health().running > 0, 'the long request runs');
    const waiting = service.run({ image: ASTRONAUT, userId: 'filler-2', channelId: 'elsewhere' });
    expect(service.health().queued).toBe(1);
    const posted = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    expect(await logged(REFUSED, posted.id)).toMatchObject({ code: 'BUSY', channel: PHOTOS, level: 30 });
    expect(postsIn(PHOTOS)).toEqual([]);
    stopLong.abort();
    await expect(long).rejects.toMatchObject({ code: 'ABORTED' });
    await waiting;
  });

  it('rate limited: the second image of a user within the minute is not described, and nothing says so', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const first = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    const reply = await nextBotPost(fake, PHOTOS);
    expect(reply.body.message_reference.message_id).toBe(first.id);
    const second = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    expect(await logged(REFUSED, second.id)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(postsIn(PHOTOS)).toHaveLength(1);
  });

  it('one unreadable image alone: logged, not posted; with a readable one: a numbered line under the attribution', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    const alone = await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [EMPTY_PNG] });
    expect(await logged('automatic alt text: no image could be read; nothing posted', alone.id)).toMatchObject({ images: 1 });
    expect(postsIn(PHOTOS)).toEqual([]);
    const mixed = await fake.postMessage({ channelId: PHOTOS, author: BOB, attachments: [PNG_ATTACHMENT, EMPTY_PNG] });
    const reply = await nextBotPost(fake, PHOTOS);
    expect(reply.body.message_reference.message_id).toBe(mixed.id);
    const lines = lastBotText(fake, PHOTOS).split('\n');
    expect(lines[0]).toBe('Alt text (glance):');
    expect(lines[1]).toMatch(/^1\. /);
    expect(lines[1]).toContain(GOLDEN_CAPTION);
    expect(lines[2]).toBe('2. (could not be read: The file is empty (0 bytes).)');
  });
});
