// A channel where glance lacks a permission its replies need: nothing is attempted there, and the operator is told
// once per channel (and again when what is missing changes) which permissions are missing. Real discord.js against the
// fake Discord (permission overwrites sent as CHANNEL_UPDATE), the real tiny model, the adapter's log read back.
import { describe, expect, it } from 'vitest';
import { Permissions } from '../../helpers/fake-discord/discord-objects.ts';
import { ALICE, PNG_ATTACHMENT, nextBotPost, useDiscordTestBot } from './discord-test-bot.ts';

const bot = useDiscordTestBot();
const PHOTOS = '4002';
const GENERAL = '4001';
const WARNING = /^glance will not answer in this channel: it lacks /;

/** Denies `permission` to the bot in PHOTOS and waits until the adapter's client knows. */
async function deny(permission: bigint): Promise<void> {
  const { fake, adapter } = bot();
  fake.denyBotPermissions(PHOTOS, permission);
  for (let tries = 0; adapter.client.guilds.cache.first()?.members.me?.permissionsIn(PHOTOS).has(permission) !== false; tries++) {
    if (tries > 500) throw new Error('the client never saw the overwrite');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Posts `count` mentions in PHOTOS, then one in GENERAL, and waits for that answer (ALICE's messages are handled in order). */
async function mentions(count: number): Promise<void> {
  const { fake } = bot();
  for (let i = 0; i < count; i++) await fake.postMessage({ channelId: PHOTOS, author: ALICE, mentionBot: true, content: 'what is this?', attachments: [PNG_ATTACHMENT] });
  const since = Date.now();
  await fake.postMessage({ channelId: GENERAL, author: ALICE, mentionBot: true, content: 'what is this?', attachments: [PNG_ATTACHMENT] });
  await nextBotPost(fake, GENERAL, since);
}

describe('missing reply permissions', () => {
  it('logged once per channel naming what is missing (not per message), again when that changes; nothing is sent there', async () => {
    const { fake, logLines } = bot();
    const warnings = () => logLines.filter((line) => WARNING.test(line.msg));
    await deny(Permissions.ReadMessageHistory);
    await mentions(3);
    expect(warnings()).toEqual([
      expect.objectContaining({ level: 40, channel: PHOTOS, missing: ['Read Message History'], msg: 'glance will not answer in this channel: it lacks Read Message History there' }),
    ]);
    await deny(Permissions.SendMessages);
    await mentions(2);
    expect(warnings().map((line) => line.missing)).toEqual([['Read Message History'], ['Send Messages', 'Read Message History']]);
    expect(fake.requests.filter((r) => r.path.startsWith(`/channels/${PHOTOS}/`))).toEqual([]);
  });
});
