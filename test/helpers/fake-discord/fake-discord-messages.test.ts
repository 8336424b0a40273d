/**
 * The fake Discord's message details with the real discord.js client: uploads, replies to the bot, typing, the
 * bot's own posts coming back over the gateway, REST errors with Discord's codes, and a non-resumable close.
 */
import { ChannelType, DiscordAPIError, Events, PermissionFlagsBits, type Message, type TextChannel, type ThreadChannel } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WITHOUT_MESSAGE_CONTENT, nextUserMessage, useFakeDiscord } from './discord-client.ts';

const ALICE = { id: '5001', username: 'alice' };
const BYTES = Buffer.from('not really an image');

const { fake, connect } = useFakeDiscord();

describe('fake Discord messages', () => {
  it('threads: THREAD_CREATE gives discord.js a thread channel with its parent; its messages carry the thread id; a later IDENTIFY gets it in GUILD_CREATE', async () => {
    const client = await connect();
    const created = new Promise<ThreadChannel>((resolve) => client.once(Events.ThreadCreate, (thread) => resolve(thread)));
    const json = fake().createThread({ parentId: '4002', name: 'vacation', owner: ALICE });
    const thread = await created;
    expect(thread.id).toBe(json.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.isThread()).toBe(true);
    expect(thread.parentId).toBe('4002');
    expect(thread.parent?.id).toBe('4002');
    expect(thread.guildId).toBe(fake().guildId);
    expect(thread.permissionsFor(client.user!)?.has(PermissionFlagsBits.SendMessagesInThreads)).toBe(true);

    const received = nextUserMessage(client);
    await fake().postMessage({ channelId: thread.id, author: ALICE, content: 'in the thread' });
    const message = await received;
    expect(message.channelId).toBe(thread.id);
    expect(message.channel.isThread() && message.channel.parentId).toBe('4002');
    const sent = await message.reply('answered in the thread');
    expect(sent.channelId).toBe(thread.id);
    expect(fake().botMessages(thread.id).map((posted) => posted.content)).toEqual(['answered in the thread']);

    const later = await connect();
    const known = later.channels.cache.get(thread.id);
    expect(known?.isThread() && known.parentId).toBe('4002');
  });

  it('stores an uploaded file (multipart payload_json) with its description and serves it from the CDN', async () => {
    const client = await connect();
    const channel = client.channels.cache.get('4001') as TextChannel;
    const sent = await channel.send({ content: 'here', files: [{ attachment: BYTES, name: 'notes.txt', description: 'some notes' }] });
    const request = await fake().waitForRequest((candidate) => candidate.method === 'POST' && candidate.path === '/channels/4001/messages');
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(request.body).toMatchObject({ content: 'here', files: [{ name: 'notes.txt', size: BYTES.length }] });
    const attachment = sent.attachments.first()!;
    expect(attachment).toMatchObject({ name: 'notes.txt', description: 'some notes', size: BYTES.length, contentType: 'text/plain; charset=utf-8' });
    expect(Buffer.from(await (await fetch(attachment.url)).arrayBuffer()).equals(BYTES)).toBe(true);
    fake().expireCdnUrls();
    const expired = await fetch(attachment.url);
    expect(expired.status).toBe(404);
    expect(fake().cdnRequests.map((served) => served.status)).toEqual([200, 404]);
  });

  it('an expired CDN link: the old URL answers 404, the message fetched again carries a newly signed URL that works; a deleted message is 10008', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    const posted = await fake().postMessage({ channelId: '4001', author: ALICE, attachments: [{ filename: 'a.png', bytes: BYTES, contentType: 'image/png' }] });
    const old = (await received).attachments.first()!.url;
    expect((await fetch(old)).status).toBe(200);
    fake().expireCdnUrls();
    expect((await fetch(old)).status).toBe(404);
    const channel = client.channels.cache.get('4001') as TextChannel;
    const again = await channel.messages.fetch({ message: posted.id, force: true });
    const renewed = again.attachments.first()!.url;
    expect(renewed).not.toBe(old);
    expect(new URL(renewed).pathname).toBe(new URL(old).pathname);
    const served = await fetch(renewed);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(BYTES)).toBe(true);
    expect((await fetch(old)).status).toBe(404);
    expect((await channel.messages.fetch({ message: posted.id, force: true })).attachments.first()!.url).toBe(renewed); // still valid: not re-signed
    fake().store.messages.delete(posted.id);
    const code = await channel.messages.fetch({ message: posted.id, force: true }).then(() => 'no error', (error: unknown) => (error instanceof DiscordAPIError ? error.code : String(error)));
    expect(code).toBe(10008);
  });

  it('a reply to a bot message mentions the bot, so it arrives whole without MessageContent; the bot sees its own post too', async () => {
    const client = await connect(WITHOUT_MESSAGE_CONTENT);
    const channel = client.channels.cache.get('4002') as TextChannel;
    const ownPost = new Promise<Message>((resolve) => client.once(Events.MessageCreate, resolve));
    const botMessage = await channel.send('ask me about images');
    expect((await ownPost).id).toBe(botMessage.id);
    const received = nextUserMessage(client);
    await fake().postMessage({ channelId: '4002', author: ALICE, content: 'what is in it?', replyTo: botMessage.id });
    const reply = await received;
    expect(reply.content).toBe('what is in it?');
    expect(reply.reference?.messageId).toBe(botMessage.id);
    expect(reply.mentions.repliedUser?.id).toBe(fake().botUser.id);

    const unpinged = nextUserMessage(client);
    await fake().postMessage({ channelId: '4002', author: ALICE, content: 'no ping', replyTo: botMessage.id, replyMention: false });
    expect((await unpinged).content).toBe('');
  });

  it('answers typing with 204 and gives Discord codes for unknown messages, edits of others and empty or too long messages', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake().postMessage({ channelId: '4001', author: ALICE, content: 'x' });
    const userMessage = await received;
    const channel = userMessage.channel as TextChannel;
    await channel.sendTyping();
    expect(fake().requests.find((request) => request.path === '/channels/4001/typing')?.status).toBe(204);
    const code = (promise: Promise<unknown>) => promise.then(() => 'no error', (error: unknown) => (error instanceof DiscordAPIError ? error.code : String(error)));
    expect(await code(channel.messages.fetch({ message: '123', force: true }))).toBe(10008);
    expect(await code(userMessage.edit('mine now'))).toBe(50005);
    expect(await code(channel.send('x'.repeat(2001)))).toBe(50035);
    expect(await code(client.rest.post('/channels/4001/messages', { body: {} }))).toBe(50006);
    expect(await code(client.rest.post('/channels/9999/messages', { body: { content: 'hi' } }))).toBe(10003);
  });

  it('edits a bot message (PATCH) and botMessages shows the edited text', async () => {
    const client = await connect();
    const channel = client.channels.cache.get('4003') as TextChannel;
    const message = await channel.send('thinking…');
    await message.edit('done');
    expect(fake().botMessages('4003')).toMatchObject([{ id: message.id, content: 'done' }]);
    expect(fake().botMessages('4003')[0].edited_timestamp).not.toBeNull();
  });

  it('a DM can be answered in its channel (a DM channel object from GET /channels/:id)', async () => {
    const client = await connect();
    const received = nextUserMessage(client);
    await fake().postMessage({ channelId: '6001', guildId: null, author: ALICE, content: 'hi in private' });
    const message = await received;
    expect(message.channel.type).toBe(ChannelType.DM);
    await message.reply('hello');
    expect(fake().botMessages('6001')).toMatchObject([{ content: 'hello' }]);
    const channel = await client.channels.fetch('6001', { force: true });
    expect(channel?.type).toBe(ChannelType.DM);
  });

  it('op 7 RECONNECT: discord.js closes, resumes on a new connection and misses nothing', async () => {
    const client = await connect();
    fake().requestReconnect();
    await fake().waitForReady();
    const received = nextUserMessage(client);
    await fake().postMessage({ channelId: '4001', author: ALICE, content: 'after the move' });
    expect((await received).content).toBe('after the move');
    expect(fake().gatewayStats()).toMatchObject({ connections: 2, identifies: 1, resumes: 1 });
  });

  it('after a non-resumable close (4007) a RESUME gets INVALID_SESSION false; a wrong token closes with 4004', async () => {
    // A raw socket: discord.js would wait out its 5 s identify throttle before identifying again.
    const socket = await openGateway();
    socket.send(JSON.stringify({ op: 2, d: { token: fake().token, intents: 513, properties: {} } }));
    const ready = (await socket.next((frame) => frame.t === 'READY')).d;
    const closed = socket.closed();
    fake().dropGateway(4007);
    expect(await closed).toBe(4007);
    const again = await openGateway();
    again.send(JSON.stringify({ op: 6, d: { token: fake().token, session_id: ready.session_id, seq: 2 } }));
    expect(await again.next((frame) => frame.op === 9)).toMatchObject({ op: 9, d: false });
    const stranger = await openGateway();
    const refused = stranger.closed();
    stranger.send(JSON.stringify({ op: 2, d: { token: 'other', intents: 513, properties: {} } }));
    expect(await refused).toBe(4004);
    again.close();
  });
});

interface RawGateway {
  send: (text: string) => void;
  close: () => void;
  next: (match: (frame: any) => boolean) => Promise<any>;
  closed: () => Promise<number>;
}

/** A bare WebSocket to the fake's gateway, past HELLO. */
async function openGateway(): Promise<RawGateway> {
  const info = (await (await fetch(`${fake().apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${fake().token}` } })).json()) as { url: string };
  const url = info.url;
  const socket = new WebSocket(`${url}?v=10&encoding=json`);
  const frames: any[] = [];
  const listeners: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const listener of listeners.splice(0)) listener();
  });
  const gateway: RawGateway = {
    send: (text) => socket.send(text),
    close: () => socket.close(1000),
    next: (match) =>
      new Promise((resolve) => {
        const check = () => {
          const frame = frames.find(match);
          if (frame) resolve(frame);
          else listeners.push(check);
        };
        check();
      }),
    closed: () => new Promise((resolve) => socket.once('close', (code) => resolve(code))),
  };
  await gateway.next((frame) => frame.op === 10);
  return gateway;
}
