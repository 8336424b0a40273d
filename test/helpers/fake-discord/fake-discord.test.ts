/**
 * The fake Discord against the real discord.js 14 client: login, messages (attachments, the MESSAGE_CONTENT intent,
 * DMs, replies), slash and context-menu commands with a modal, a 429 honoured, a resumed gateway session, and a
 * channel the bot may not post in.
 */
import { once } from 'node:events';
import {
  ActionRowBuilder,
  ChannelType,
  DiscordAPIError,
  Events,
  type Interaction,
  ModalBuilder,
  PermissionFlagsBits,
  type TextChannel,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { WITHOUT_MESSAGE_CONTENT, nextUserMessage, useFakeDiscord } from './discord-client.ts';
import { Permissions } from './discord-objects.ts';
import type { FakeDiscord } from './fake-discord.ts';

const ALICE = { id: '5001', username: 'alice' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a0000000000049454e44ae426082', 'hex');

const hooks = useFakeDiscord();
const connect = hooks.connect;
let fake: FakeDiscord;
beforeEach(() => {
  fake = hooks.fake();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in: GET /gateway/bot with the bot token, IDENTIFY, READY and GUILD_CREATE with the channels and the bot member', async () => {
    const client = await connect();
    expect(client.user?.id).toBe(fake.botUser.id);
    const guild = client.guilds.cache.get(fake.guildId)!;
    expect([...guild.channels.cache.keys()].sort()).toEqual(['4001', '4002', '4003']);
    const channel = guild.channels.cache.get('4001')!;
    expect(channel.type).toBe(ChannelType.GuildText);
    expect(guild.members.me?.permissionsIn(channel).has(PermissionFlagsBits.SendMessages)).toBe(true);
    const gateway = fake.requests.find((request) => request.path === '/gateway/bot')!;
    expect(gateway.headers.authorization).toBe(`Bot ${fake.token}`);
    expect(fake.gatewayStats()).toMatchObject({ connections: 1, identifies: 1, resumes: 0, intents: 1 | (1 << 9) | (1 << 12) | (1 << 15) });
    await fake.waitForReady();
  });

  it('delivers a posted image with its url, content type, alt text, size and dimensions; the CDN serves the bytes', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    const posted = await fake.postMessage({
      channelId: '4002',
      author: ALICE,
      content: 'look',
      attachments: [
        { filename: 'cat.png', bytes: PNG, contentType: 'image/png', description: 'a cat on a sofa', width: 1, height: 1 },
        { filename: 'SPOILER_secret.png', bytes: PNG, contentType: 'image/png', reportedSize: 999 },
      ],
    });
    const message = await received;
    expect(message.id).toBe(posted.id);
    expect(message.content).toBe('look');
    const [first, second] = [...message.attachments.values()];
    expect(first).toMatchObject({ name: 'cat.png', contentType: 'image/png', description: 'a cat on a sofa', size: PNG.length, width: 1, height: 1, spoiler: false });
    expect(second).toMatchObject({ spoiler: true, size: 999, description: null });
    expect(new URL(first.url).host).toBe(fake.cdnHost);
    expect(new URL(first.url).searchParams.get('hm')).toMatch(/^[0-9a-f]{64}$/);
    const download = await fetch(first.url);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
    const unsigned = await fetch(first.url.split('?')[0]);
    expect(unsigned.status).toBe(404);
  });

  it('without the MessageContent intent a plain guild message arrives blank, a mention or a DM arrives whole', async () => {
    const client = await connect(WITHOUT_MESSAGE_CONTENT);
    const image = { filename: 'cat.png', bytes: PNG, contentType: 'image/png' };
    let received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4001', author: ALICE, content: 'plain', attachments: [image] });
    const plain = await received;
    expect(plain.content).toBe('');
    expect(plain.attachments.size).toBe(0);

    received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4001', author: ALICE, content: 'what is this?', attachments: [image], mentionBot: true });
    const mention = await received;
    expect(mention.content).toBe(`<@${fake.botUser.id}> what is this?`);
    expect(mention.mentions.users.has(fake.botUser.id)).toBe(true);
    expect(mention.attachments.size).toBe(1);

    received = nextUserMessage(client);
    await fake.postMessage({ channelId: '6001', guildId: null, author: ALICE, content: 'in private', attachments: [image] });
    const dm = await received;
    expect(dm.channel.type).toBe(ChannelType.DM);
    expect(dm.content).toBe('in private');
    expect(dm.attachments.size).toBe(1);
  });

  it('records the reply the client sends with message.reply, as a reply to the user message', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4001', author: ALICE, content: 'hello bot' });
    const message = await received;
    const reply = await message.reply('hello alice');
    expect(reply.content).toBe('hello alice');
    const [stored] = fake.botMessages('4001');
    expect(stored).toMatchObject({ id: reply.id, content: 'hello alice', message_reference: { message_id: message.id, channel_id: '4001' } });
    expect(stored.author.id).toBe(fake.botUser.id);
    const fetched = await message.channel.messages.fetch({ message: message.id, force: true });
    expect(fetched.content).toBe('hello bot');
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === `/channels/4001/messages/${message.id}`)).toBe(true);
  });

  it('delivers a slash command with an attachment; deferReply and editReply are recorded in order', async () => {
    const client = await connect();
    const seen: { url?: string; contentType?: string | null } = {};
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const attachment = interaction.options.getAttachment('image', true);
      seen.url = attachment.url;
      seen.contentType = attachment.contentType;
      await interaction.deferReply();
      await interaction.editReply(`caption of ${attachment.name} (${interaction.options.getString('length')})`);
    });
    const { token } = await fake.slashCommand({
      name: 'caption',
      channelId: '4001',
      user: ALICE,
      options: [{ name: 'length', type: 3, value: 'short' }],
      attachments: { image: { filename: 'photo.png', bytes: PNG, contentType: 'image/png' } },
    });
    await fake.waitForRequest((request) => request.method === 'PATCH' && request.path.includes(token));
    expect(fake.interactionResponses(token).map(({ kind, type, data }) => ({ kind, type, content: data.content }))).toEqual([
      { kind: 'callback', type: 5, content: undefined },
      { kind: 'edit', type: undefined, content: 'caption of photo.png (short)' },
    ]);
    expect(seen.contentType).toBe('image/png');
    expect(Buffer.from(await (await fetch(seen.url!)).arrayBuffer()).equals(PNG)).toBe(true);
    expect(fake.interactionOriginal(token)).toMatchObject({ content: 'caption of photo.png (short)', flags: 0 });
  });

  it('runs a message context-menu command on an image (whole without MessageContent), shows a modal and takes its submission', async () => {
    const client = await connect(WITHOUT_MESSAGE_CONTENT);
    let targetAttachments = -1;
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (interaction.isMessageContextMenuCommand()) {
        targetAttachments = interaction.targetMessage.attachments.size;
        const question = new TextInputBuilder().setCustomId('question').setLabel('Question').setStyle(TextInputStyle.Short);
        await interaction.showModal(
          new ModalBuilder().setCustomId(`ask:${interaction.targetId}`).setTitle('Ask about image').addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(question)),
        );
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `Q: ${interaction.fields.getTextInputValue('question')}` });
      }
    });
    const target = await fake.postMessage({ channelId: '4001', author: ALICE, attachments: [{ filename: 'cat.png', bytes: PNG, contentType: 'image/png' }] });
    const command = await fake.messageCommand({ name: 'Ask about image', channelId: '4001', user: ALICE, targetMessageId: target.id });
    await fake.waitForRequest((request) => request.path.includes(command.token));
    const [modal] = fake.interactionResponses(command.token);
    expect(modal).toMatchObject({ kind: 'callback', type: 9, data: { custom_id: `ask:${target.id}`, title: 'Ask about image' } });
    expect(targetAttachments).toBe(1);

    const submit = await fake.modalSubmit({ customId: `ask:${target.id}`, channelId: '4001', user: ALICE, values: { question: 'what is it?' } });
    await fake.waitForRequest((request) => request.path.includes(submit.token));
    expect(fake.interactionResponses(submit.token)).toMatchObject([{ kind: 'callback', type: 4, data: { content: 'Q: what is it?' } }]);
  });

  it('answers 429 with retry_after 0.3 s; discord.js waits and sends again, and the reply arrives', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4001', author: ALICE, content: 'hi' });
    const message = await received;
    fake.rateLimitNext('POST', /^\/channels\/4001\/messages$/, 0.3);
    const reply = await message.reply('after the limit');
    const posts = fake.requests.filter((request) => request.method === 'POST' && request.path === '/channels/4001/messages');
    expect(posts.map((request) => request.status)).toEqual([429, 200]);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(300);
    expect(fake.botMessages('4001').map((stored) => stored.id)).toEqual([reply.id]);
  });

  it('drops the gateway: the client resumes (no second IDENTIFY) and gets the message posted while it was away', async () => {
    const client = await connect();
    fake.dropGateway();
    const received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4001', author: ALICE, content: 'while you were away' });
    expect((await received).content).toBe('while you were away');
    await fake.waitForReady();
    expect(fake.gatewayStats()).toMatchObject({ connections: 2, identifies: 1, resumes: 1 });
  });

  it('denySend: message.reply rejects with DiscordAPIError 50013 and discord.js sees the permission gone', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4003', author: ALICE, content: 'hi' });
    const message = await received;
    const updated = once(client, Events.ChannelUpdate);
    fake.denySend('4003');
    await updated;
    const error = await message.reply('nope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect((error as DiscordAPIError).code).toBe(50013);
    expect(message.guild!.members.me!.permissionsIn('4003').has(PermissionFlagsBits.SendMessages)).toBe(false);
    expect(fake.botMessages('4003')).toEqual([]);
  });

  it('denyBotPermissions(ReadMessageHistory): a reply (message reference) is refused with 50013, a plain message is sent', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake.postMessage({ channelId: '4003', author: ALICE, content: 'hi' });
    const message = await received;
    const updated = once(client, Events.ChannelUpdate);
    fake.denyBotPermissions('4003', Permissions.ReadMessageHistory);
    await updated;
    expect(message.guild!.members.me!.permissionsIn('4003').has(PermissionFlagsBits.ReadMessageHistory)).toBe(false);
    expect(message.guild!.members.me!.permissionsIn('4003').has(PermissionFlagsBits.SendMessages)).toBe(true);
    const error = await message.reply('nope').catch((caught: unknown) => caught);
    expect((error as DiscordAPIError).code).toBe(50013);
    await (message.channel as TextChannel).send('without a reference');
    expect(fake.botMessages('4003').map((posted) => posted.content)).toEqual(['without a reference']);
  });
});

describe('fake Discord REST edges', () => {
  it('answers 401 to a wrong token, 404 {code: 0} to unknown routes and records both', async () => {
    const wrong = await fetch(`${fake.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot other' } });
    expect(wrong.status).toBe(401);
    const missing = await fetch(`${fake.apiUrl}/v10/nowhere`, { headers: { authorization: `Bot ${fake.token}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 0, message: '404: Not Found' });
    expect(fake.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual(['GET /users/@me 401', 'GET /nowhere 404']);
    await expect(fake.waitForRequest((request) => request.path === '/never', 50)).rejects.toThrow(/GET \/nowhere → 404/);
  });
});
