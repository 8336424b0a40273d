// Bad input reaching the Discord adapter: each is answered with a clear message (or skipped), never a crash.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, GOLDEN_CAPTION, PNG_ATTACHMENT, lastBotText, nextBotPost, useDiscordTestBot, waitForResponse, finalText } from './discord-test-bot.ts';
import { animatedGif, blankPng } from '../../helpers/test-images.ts';

const bot = useDiscordTestBot();
const PHOTOS = '4002';
const GENERAL = '4001';

async function altTextFor(attachments: Parameters<ReturnType<typeof bot>['fake']['postMessage']>[0]['attachments']): Promise<string> {
  const { fake, settings } = bot();
  settings.setChannelAutoAltText('discord', PHOTOS, true);
  const since = Date.now();
  await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments });
  await nextBotPost(fake, PHOTOS, since);
  return lastBotText(fake, PHOTOS);
}

/** What glance answers a mention (no question: a caption) with these attachments. */
async function mentionReplyFor(attachments: Parameters<ReturnType<typeof bot>['fake']['postMessage']>[0]['attachments']): Promise<string> {
  const { fake } = bot();
  const since = Date.now();
  await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, attachments });
  await nextBotPost(fake, GENERAL, since);
  return lastBotText(fake, GENERAL);
}

describe('bad input on Discord', () => {
  it('content types that lie: the bytes decide (a PNG called text/plain is described, text called image/png is not an image)', async () => {
    const text = await altTextFor([
      { filename: 'photo.png', bytes: ASTRONAUT, contentType: 'text/plain' },
      { filename: 'fake.png', bytes: Buffer.from('just some text, not a picture'), contentType: 'image/png', width: 10, height: 10 },
      { filename: 'photo.bin', bytes: ASTRONAUT, contentType: 'application/octet-stream', width: 512, height: 512 },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Alt text (glance):');
    expect(lines[1]).toContain(GOLDEN_CAPTION);
    expect(lines[2]).toMatch(/^2\. \(could not be read: The file is not an image glance can read/);
    expect(lines[3]).toContain(GOLDEN_CAPTION);
  });

  it('a 0-byte file gets a clear message', async () => {
    expect(await mentionReplyFor([{ filename: 'empty.png', bytes: new Uint8Array(), contentType: 'image/png' }])).toContain('The file is empty (0 bytes).');
  });

  it('oversize images get the friendly message: by reported size (not downloaded), by bytes, and by pixels', async () => {
    const { fake } = bot();
    expect(await mentionReplyFor([{ ...PNG_ATTACHMENT, reportedSize: 30 * 1024 * 1024 }])).toContain('The image is 30 MB; glance reads images up to 1 MB. Post a smaller version of it.');
    expect(fake.cdnRequests).toHaveLength(0);
    const big = Buffer.concat([ASTRONAUT, Buffer.alloc(2 * 1024 * 1024)]);
    expect(await mentionReplyFor([{ filename: 'big.png', bytes: big, contentType: 'image/png', reportedSize: 1000 }])).toMatch(/The image is (\d+(\.\d)? MB; glance reads images up to 1 MB|larger than 1 MB, the most glance reads)\. Post a smaller version of it\./);
    expect(await mentionReplyFor([{ filename: 'wide.png', bytes: blankPng(2000, 1000), contentType: 'image/png' }])).toMatch(/The image is 2000x1000 \(2\.0 MP\), above the limit of 1\.0 MP/);
  });

  it('an animated GIF is described from its first frame', async () => {
    const text = await altTextFor([{ filename: 'anim.gif', bytes: animatedGif([[0, 1, 1, 0], [1, 0, 0, 1]]), contentType: 'image/gif', width: 2, height: 2, animated: true }]);
    const firstFrame = await bot().service.run({ image: animatedGif([[0, 1, 1, 0]]), userId: 'test', channelId: 'test' });
    expect(text).toBe(`Alt text (glance): ${firstFrame.text}`);
  });

  it('a spoilered image gets spoilered alt text', async () => {
    const text = await altTextFor([{ ...PNG_ATTACHMENT, filename: 'SPOILER_astronaut.png' }]);
    expect(text).toMatch(/^Alt text \(glance\): \|\|.+\|\|$/);
    expect(text).toContain(GOLDEN_CAPTION);
  });

  it('a message with 10 attachments: the first 4 described, numbered, the rest named as skipped', async () => {
    const attachments = Array.from({ length: 10 }, (_, i) => ({ ...PNG_ATTACHMENT, filename: `p${i + 1}.png` }));
    const text = await altTextFor(attachments);
    const lines = text.split('\n');
    expect(lines).toHaveLength(6);
    for (let i = 1; i <= 4; i++) expect(lines[i]).toBe(`${i}. ${lines[1].slice(3)}`);
    expect(lines[5]).toBe('Not described (at most 4 images per message): p5.png, p6.png, p7.png, p8.png, p9.png, p10.png.');
    expect(bot().fake.cdnRequests).toHaveLength(4);
  });

  it('a 4,000-character question is refused with a clear message (mention and /ask)', async () => {
    const { fake } = bot();
    const question = 'why '.repeat(1000);
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: question, attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, GENERAL);
    expect(lastBotText(fake, GENERAL)).toBe('Your question is 3999 characters long; the limit is 500. Ask a shorter question.');
    const ask = await fake.slashCommand({ name: 'ask', channelId: GENERAL, user: ALICE, options: [{ name: 'question', type: 3, value: question }] });
    const responses = await waitForResponse(fake, ask.token, (r) => r.kind === 'callback');
    expect(responses[0].type).toBe(4);
    expect(responses[0].data.flags & 64).toBe(64);
    expect(finalText(responses)).toMatch(/the limit is 500/);
  });

  it('in a channel the bot cannot post in: no work and no doomed requests (403s count towards Discord’s ban); commands there are still answered', async () => {
    const { fake, settings } = bot();
    settings.setChannelAutoAltText('discord', PHOTOS, true);
    fake.denySend(PHOTOS);
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, attachments: [PNG_ATTACHMENT] });
    await fake.postMessage({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: 'what is this?', attachments: [PNG_ATTACHMENT] });
    // a message elsewhere from the same user is handled after the two above
    await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: 'what is this?', attachments: [PNG_ATTACHMENT] });
    await nextBotPost(fake, GENERAL);
    expect(lastBotText(fake, GENERAL)).toMatch(/^Answer \(glance\): /);
    expect(fake.requests.filter((r) => r.path.startsWith(`/channels/${PHOTOS}/`))).toEqual([]);
    expect(fake.cdnRequests).toHaveLength(1);
    const run = await fake.slashCommand({ name: 'caption', channelId: PHOTOS, user: BOB, attachments: { image: PNG_ATTACHMENT } });
    const responses = await waitForResponse(fake, run.token, (r) => r.kind === 'edit');
    expect(finalText(responses)).toContain(GOLDEN_CAPTION);
  });

});
