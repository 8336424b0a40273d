// Expired CDN links with the real discord.js client, the fake Discord (signed URLs that expire; messages fetched again
// carry newly signed ones) and the real tiny model: a remembered image is recovered by fetching its message again.
import { describe, expect, it } from 'vitest';
import { ALICE, ASTRONAUT, BOB, GOLDEN_ANSWER, PNG_ATTACHMENT, QUESTION, lastBotText, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const RANDOM = '4003';

describe('expired CDN links', () => {
  it('a remembered image whose link expired is fetched again (REST, fresh link) and answered (golden); a later question reuses the fresh link', async () => {
    const { fake, service } = bot();
    const image = await fake.postMessage({ channelId: RANDOM, author: BOB, attachments: [PNG_ATTACHMENT] });
    fake.expireCdnUrls();
    let since = Date.now();
    await fake.postMessage({ channelId: RANDOM, author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, RANDOM, since);
    const expected = (await service.run({ image: ASTRONAUT, question: QUESTION, userId: 'test', channelId: 'test' })).text;
    expect(expected.startsWith(GOLDEN_ANSWER)).toBe(true);
    expect(lastBotText(fake, RANDOM)).toBe(`Answer (glance): ${expected}`);
    const downloads = fake.cdnRequests.filter((r) => r.path.endsWith('/astronaut.png'));
    expect(downloads.map((r) => r.status)).toEqual([404, 200]);
    expect(downloads[1].query.get('hm')).not.toBe(downloads[0].query.get('hm'));
    const refetches = fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${RANDOM}/messages/${image.id}`);
    expect(refetches.map((r) => r.status)).toEqual([200]);

    since = Date.now();
    await fake.postMessage({ channelId: RANDOM, author: ALICE, mentionBot: true, content: '' });
    await nextBotPost(fake, RANDOM, since);
    expect(lastBotText(fake, RANDOM)).toMatch(/^Caption \(glance\): \S/);
    const later = fake.cdnRequests.filter((r) => r.path.endsWith('/astronaut.png'));
    expect(later.map((r) => r.status)).toEqual([404, 200, 200]);
    expect(later[2].query.get('hm')).toBe(downloads[1].query.get('hm'));
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${RANDOM}/messages/${image.id}`)).toHaveLength(1);
  });

  it('the message was deleted meanwhile (404 on the fetch again): the user is told to post the image again', async () => {
    const { fake } = bot();
    const image = await fake.postMessage({ channelId: RANDOM, author: BOB, attachments: [PNG_ATTACHMENT] });
    fake.expireCdnUrls();
    fake.store.messages.delete(image.id); // deleted while glance did not hear of it (no MESSAGE_DELETE)
    await fake.postMessage({ channelId: RANDOM, author: ALICE, mentionBot: true, content: QUESTION });
    await nextBotPost(fake, RANDOM);
    expect(lastBotText(fake, RANDOM)).toBe('The image could not be downloaded (HTTP 404); its link may have expired: post it again.');
    const refetches = fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${RANDOM}/messages/${image.id}`);
    expect(refetches.map((r) => r.status)).toEqual([404]);
    expect(fake.cdnRequests.filter((r) => r.path.endsWith('/astronaut.png')).map((r) => r.status)).toEqual([404]);
  });
});
