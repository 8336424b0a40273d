/**
 * The fake Slack against the real @slack/bolt 5 App, over signed HTTP events and over Socket Mode: mentions answered
 * in threads, signatures and stale timestamps rejected, retries visible to handlers, url_private downloads with
 * Slack's authorization rules, files.info, slash commands and their response_url, message shortcuts, history and
 * replies, and a channel the bot has left.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpApp, startSocketApp, type TestBoltApp } from './bolt-apps.ts';
import { FakeSlack } from './fake-slack.ts';

const ALICE = 'U0ALICE';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a0000000000049454e44ae426082', 'hex');

let fake: FakeSlack;
const apps: TestBoltApp[] = [];

beforeEach(async () => {
  fake = await FakeSlack.start();
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await fake.close();
});

async function http(register: Parameters<typeof startHttpApp>[1]): Promise<TestBoltApp> {
  const app = await startHttpApp(fake, register);
  apps.push(app);
  return app;
}


async function socket(register: Parameters<typeof startSocketApp>[1], options?: Parameters<typeof startSocketApp>[2]): Promise<TestBoltApp> {
  const app = await startSocketApp(fake, register, options);
  apps.push(app);
  return app;
}

describe('fake Slack with the real Bolt App over HTTP', () => {
  it('delivers a signed app_mention (200); say({ text, thread_ts }) lands in botMessages through chat.postMessage with the bot token', async () => {
    const { receiverUrl } = await http((app) => {
      app.event('app_mention', async ({ event, say }) => {
        await say({ text: `you said: ${event.text}`, thread_ts: event.thread_ts ?? event.ts });
      });
    });
    const parent = fake.storeMessage({ channel: 'C0001', user: ALICE, text: 'a screenshot' });
    const body = fake.mentionEvent({ channel: 'C0001', user: ALICE, text: 'what does it say?', threadTs: parent.ts });
    expect(body).toMatchObject({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0APP', event: { type: 'app_mention', text: '<@U0BOT> what does it say?', thread_ts: parent.ts, parent_user_id: ALICE } });
    expect(body.event_id).toMatch(/^Ev/);

    const delivered = await fake.postEvent(receiverUrl, body);
    expect(delivered.status).toBe(200);
    const call = await fake.waitForCall('chat.postMessage');
    expect(call.token).toBe(fake.botToken);
    expect(call.args).toMatchObject({ channel: 'C0001', thread_ts: parent.ts, text: 'you said: <@U0BOT> what does it say?' });
    expect(call.response).toMatchObject({ ok: true, channel: 'C0001', message: { bot_id: 'B0BOT', user: 'U0BOT' } });
    expect(fake.botMessages('C0001')).toEqual([{ ts: call.response!.ts, thread_ts: parent.ts, text: 'you said: <@U0BOT> what does it say?' }]);
    expect(fake.calls[0].method).toBe('auth.test');
  });

  it('rejects a bad signature and a stale timestamp with 401 (the handler never runs)', async () => {
    const seen: string[] = [];
    const { receiverUrl, logged } = await http((app) => {
      app.event('app_mention', async ({ event }) => void seen.push(event.text));
    });
    const body = fake.mentionEvent({ channel: 'C0001', user: ALICE, text: 'hi' });
    expect((await fake.postEvent(receiverUrl, body, { badSignature: true })).status).toBe(401);
    expect((await fake.postEvent(receiverUrl, body, { timestampOffsetSec: -600 })).status).toBe(401);
    expect(seen).toEqual([]);
    expect(logged.join('\n')).toContain('signature mismatch');
    expect(logged.join('\n')).toContain('stale');
    expect((await fake.postEvent(receiverUrl, body)).status).toBe(200);
    await expect.poll(() => seen).toEqual(['<@U0BOT> hi']);
  });

  it('passes the retry headers to the handler as context.retryNum / retryReason, with the same event_id', async () => {
    const seen: { eventId: string; retryNum?: number; retryReason?: string }[] = [];
    const { receiverUrl } = await http((app) => {
      app.event('app_mention', async ({ body, context }) => {
        seen.push({ eventId: body.event_id, retryNum: context.retryNum, retryReason: context.retryReason });
      });
    });
    const body = fake.mentionEvent({ channel: 'C0002', user: ALICE, text: 'hello', eventId: 'Ev0RETRY' });
    await fake.postEvent(receiverUrl, body);
    await fake.postEvent(receiverUrl, body, { retryNum: 1 });
    await fake.postEvent(receiverUrl, body, { retryNum: 2 });
    await expect.poll(() => seen.length).toBe(3);
    expect(seen).toEqual([
      { eventId: 'Ev0RETRY', retryNum: undefined, retryReason: undefined },
      { eventId: 'Ev0RETRY', retryNum: 1, retryReason: 'http_timeout' },
      { eventId: 'Ev0RETRY', retryNum: 2, retryReason: 'http_timeout' },
    ]);
  });

  it('delivers direct messages (message.im) and answers a signed malformed body with 400', async () => {
    const { receiverUrl } = await http((app) => {
      app.message(async ({ message, say }) => {
        if (message.channel_type === 'im' && 'text' in message) await say(`dm: ${message.text}`);
      });
    });
    const body = fake.messageEvent({ channel: 'D0001', channelType: 'im', user: ALICE, text: 'private question' });
    expect(body.event).toMatchObject({ type: 'message', channel: 'D0001', channel_type: 'im', user: ALICE });
    expect((await fake.postEvent(receiverUrl, body)).status).toBe(200);
    await fake.waitForCall('chat.postMessage', (call) => call.args.channel === 'D0001');
    expect(fake.botMessages('D0001').map((message) => message.text)).toEqual(['dm: private question']);
    expect((await fake.postEvent(receiverUrl, '{"type":"event_callback",')).status).toBe(400);
  });

  it('leaveChannel: chat.postMessage there fails with not_in_channel and conversations.info says is_member false', async () => {
    const { app } = await http(() => {});
    fake.leaveChannel('C0003');
    await expect(app.client.chat.postMessage({ channel: 'C0003', text: 'hello' })).rejects.toMatchObject({ data: { ok: false, error: 'not_in_channel' } });
    await expect(app.client.chat.update({ channel: 'C0003', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    await expect(app.client.chat.postEphemeral({ channel: 'C0003', user: ALICE, text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    const info = await app.client.conversations.info({ channel: 'C0003' });
    expect(info.channel).toMatchObject({ id: 'C0003', name: 'photos', is_member: false });
    expect((await app.client.conversations.info({ channel: 'C0001' })).channel?.is_member).toBe(true);
    await expect(app.client.conversations.info({ channel: 'C9999' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    expect(fake.botMessages('C0003')).toEqual([]);
  });
});

describe('fake Slack files', () => {
  it('serves url_private with the bot token; without it (or with a wrong one) 302 to an HTML login page', async () => {
    const file = fake.addFile({ name: 'cat.png', bytes: PNG, altTxt: 'a cat' });
    expect(file).toMatchObject({ name: 'cat.png', mimetype: 'image/png', filetype: 'png', size: PNG.length, alt_txt: 'a cat', user: ALICE });
    expect(new URL(file.url_private).host).toBe(fake.fileHost);

    const ok = await fetch(file.url_private, { headers: { authorization: `Bearer ${fake.botToken}` }, redirect: 'manual' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await ok.arrayBuffer()).equals(PNG)).toBe(true);
    const download = await fetch(file.url_private_download, { headers: { authorization: `Bearer ${fake.botToken}` }, redirect: 'manual' });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
    const thumb = await fetch(file.thumb_360!, { headers: { authorization: `Bearer ${fake.botToken}` }, redirect: 'manual' });
    expect(thumb.status).toBe(200);

    for (const headers of [{}, { authorization: 'Bearer xoxb-wrong' }] as Record<string, string>[]) {
      const denied = await fetch(file.url_private, { headers, redirect: 'manual' });
      expect(denied.status).toBe(302);
      expect(denied.headers.get('content-type')).toMatch(/^text\/html/);
      await denied.arrayBuffer();
    }
    const followed = await fetch(file.url_private);
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await followed.text()).toContain('Sign in');
    expect(fake.fileRequests.map((request) => request.status)).toEqual([200, 200, 200, 302, 302, 302]);
  });

  it('serves names with spaces and unicode; a thread reply event names the parent; eventFor builds the other event of one post', async () => {
    const file = fake.addFile({ name: 'Screen Shot 2026-11-27 à 10.00.png', bytes: PNG });
    const response = await fetch(file.url_private, { headers: { authorization: `Bearer ${fake.botToken}` }, redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);

    const parent = fake.storeMessage({ channel: 'C0001', user: 'U0BOB', text: 'parent' });
    const reply = fake.messageEvent({ channel: 'C0001', user: ALICE, text: `<@${fake.botUserId}> look`, files: [file], threadTs: parent.ts });
    expect(reply.event).toMatchObject({ thread_ts: parent.ts, parent_user_id: 'U0BOB', subtype: 'file_share' });
    const mention = fake.eventFor('C0001', reply.event.ts, 'app_mention');
    expect(mention.event).toMatchObject({ type: 'app_mention', ts: reply.event.ts, thread_ts: parent.ts, text: '<@U0BOT> look', files: [{ id: file.id }] });
    expect(mention.event.blocks[0].elements[0].elements[0]).toEqual({ type: 'user', user_id: 'U0BOT' });
    expect(mention.event_id).not.toBe(reply.event_id);
  });

  it('loginPage: even the bot token gets the 302 and the HTML login page (missing files:read)', async () => {
    const file = fake.addFile({ name: 'photo.jpg', bytes: PNG, loginPage: true });
    expect(file.mimetype).toBe('image/jpeg');
    const denied = await fetch(file.url_private, { headers: { authorization: `Bearer ${fake.botToken}` }, redirect: 'manual' });
    expect(denied.status).toBe(302);
    expect(denied.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await fetch(file.url_private, { headers: { authorization: `Bearer ${fake.botToken}` } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('files.info answers a file by id (file_not_found otherwise); id-only events carry {id, file_access: check_file_info}', async () => {
    const { app } = await http(() => {});
    const file = fake.addFile({ name: 'report.png', bytes: PNG, mimetype: 'application/pdf' });
    const info = await app.client.files.info({ file: file.id });
    expect(info.file).toMatchObject({ id: file.id, name: 'report.png', mimetype: 'application/pdf', url_private: file.url_private });
    await expect(app.client.files.info({ file: 'F0MISSING' })).rejects.toMatchObject({ data: { error: 'file_not_found' } });

    const full = fake.messageEvent({ channel: 'C0003', user: ALICE, text: 'look', files: [file] });
    expect(full.event).toMatchObject({ type: 'message', subtype: 'file_share', channel_type: 'channel', files: [{ id: file.id, url_private: file.url_private }] });
    const idOnly = fake.mentionEvent({ channel: 'C0003', user: ALICE, text: 'what is this?', files: [file], idOnlyFiles: true });
    expect(idOnly.event.files).toEqual([{ id: file.id, mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: ALICE }]);
    expect(full.event_id).not.toBe(idOnly.event_id);
  });
});

describe('fake Slack commands, shortcuts and the Web API', () => {
  it('a slash command is acked (200) and its response_url takes ephemeral and in-channel answers', async () => {
    const { receiverUrl } = await http((app) => {
      app.command('/glance', async ({ command, ack, respond }) => {
        await ack();
        await respond({ text: `private: ${command.text}` });
        await respond({ text: 'for everyone', response_type: 'in_channel' });
      });
    });
    const fields = fake.slashCommand({ text: 'help', channel: 'C0002', user: ALICE });
    expect(fields).toMatchObject({ command: '/glance', text: 'help', channel_id: 'C0002', channel_name: 'random', user_id: ALICE, team_id: 'T0001', api_app_id: 'A0APP' });
    expect(new URL(fields.response_url).host).toBe(fake.fileHost);
    const delivered = await fake.postCommand(receiverUrl, fields);
    expect(delivered.status).toBe(200);
    await fake.waitForCall('response_url', (call) => call.args.response_type === 'in_channel');
    expect(fake.ephemerals('C0002')).toEqual([{ channel: 'C0002', user: ALICE, text: 'private: help', via: 'response_url' }]);
    expect(fake.botMessages('C0002').map((message) => message.text)).toEqual(['for everyone']);
    expect((await fake.postCommand(receiverUrl, fields, { badSignature: true })).status).toBe(401);
  });

  it('a message shortcut payload arrives with the stored message; views.open takes its trigger_id once', async () => {
    const file = fake.addFile({ name: 'cat.png', bytes: PNG });
    const { ts } = fake.storeMessage({ channel: 'C0003', user: ALICE, text: 'my cat', files: [file] });
    const received: any[] = [];
    const { receiverUrl } = await http((app) => {
      app.shortcut('describe_image', async ({ shortcut, ack, client }) => {
        await ack();
        received.push(shortcut);
        await client.views.open({ trigger_id: (shortcut as any).trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'Describe' }, blocks: [] } });
      });
    });
    const payload = fake.messageShortcut({ callbackId: 'describe_image', channel: 'C0003', user: ALICE, messageTs: ts });
    const delivered = await fake.postInteraction(receiverUrl, payload);
    expect(delivered.status).toBe(200);
    await fake.waitForCall('views.open');
    expect(received[0]).toMatchObject({ type: 'message_action', callback_id: 'describe_image', message_ts: ts, channel: { id: 'C0003' }, user: { id: ALICE }, message: { ts, text: 'my cat', files: [{ id: file.id }] } });
    expect(fake.views()).toMatchObject([{ type: 'modal', title: { text: 'Describe' } }]);
    const { app } = apps[0];
    await expect(app.client.views.open({ trigger_id: payload.trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })).rejects.toMatchObject({
      data: { error: 'invalid_trigger_id' },
    });
    expect((await fake.postInteraction(receiverUrl, payload, { timestampOffsetSec: -600 })).status).toBe(401);
  });

  it('conversations.history (newest first, latest/limit) and conversations.replies (parent then replies); chat.update is applied', async () => {
    const { app } = await http(() => {});
    const first = fake.storeMessage({ channel: 'C0001', user: ALICE, text: 'one' });
    const second = fake.storeMessage({ channel: 'C0001', user: ALICE, text: 'two' });
    const reply = fake.storeMessage({ channel: 'C0001', user: 'U0BOB', text: 'a reply', threadTs: first.ts });
    const posted = await app.client.chat.postMessage({ channel: 'C0001', text: 'working…', thread_ts: first.ts, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'working…' } }] });
    await app.client.chat.update({ channel: 'C0001', ts: posted.ts!, text: 'done' });

    const history = await app.client.conversations.history({ channel: 'C0001' });
    expect(history.messages!.map((message) => message.text)).toEqual(['two', 'one']);
    expect(history.messages![1]).toMatchObject({ ts: first.ts, reply_count: 2, thread_ts: first.ts, latest_reply: posted.ts });
    const older = await app.client.conversations.history({ channel: 'C0001', latest: second.ts, limit: 1 });
    expect(older.messages!.map((message) => message.text)).toEqual(['one']);
    expect(older.has_more).toBe(false);
    const limited = await app.client.conversations.history({ channel: 'C0001', limit: 1 });
    expect(limited.has_more).toBe(true);

    const replies = await app.client.conversations.replies({ channel: 'C0001', ts: first.ts });
    expect(replies.messages!.map((message) => [message.text, message.thread_ts])).toEqual([
      ['one', first.ts],
      ['a reply', first.ts],
      ['done', first.ts],
    ]);
    expect(replies.messages![1]).toMatchObject({ ts: reply.ts, user: 'U0BOB', parent_user_id: ALICE });
    expect(replies.messages![2]).toMatchObject({ bot_id: 'B0BOT', edited: { user: 'U0BOT' } });
    await expect(app.client.conversations.replies({ channel: 'C0001', ts: '1.000009' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });

    expect(fake.botMessages('C0001')).toEqual([{ ts: posted.ts, thread_ts: first.ts, text: 'done', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'working…' } }] }]);
    const update = await fake.waitForCall('chat.update');
    expect(update.args).toMatchObject({ channel: 'C0001', ts: posted.ts, text: 'done' });
    await expect(app.client.chat.update({ channel: 'C0001', ts: second.ts, text: 'x' })).rejects.toMatchObject({ data: { error: 'cant_update_message' } });
    const permalink = await app.client.chat.getPermalink({ channel: 'C0001', message_ts: reply.ts });
    expect(permalink.permalink).toContain(`/archives/C0001/p${reply.ts.replace('.', '')}`);
  });

  it("answers Slack's token errors, chat.postEphemeral, users.info, unknown methods and injected failures", async () => {
    const { app } = await http(() => {});
    await expect(app.client.auth.test({ token: 'xoxb-wrong' })).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(app.client.chat.postMessage({ token: fake.appToken, channel: 'C0001', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(app.client.apps.connections.open({})).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(app.client.chat.postMessage({ channel: 'C0001', text: '' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(app.client.chat.postMessage({ channel: 'C0001', text: 'x'.repeat(40_001) })).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    await expect(app.client.apiCall('reactions.add', { channel: 'C0001', name: 'eyes', timestamp: '1.000001' })).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'reactions.add', args: { name: 'eyes' } });

    const ephemeral = await app.client.chat.postEphemeral({ channel: 'C0001', user: ALICE, text: 'only you' });
    expect(ephemeral.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals()).toEqual([{ channel: 'C0001', user: ALICE, text: 'only you', via: 'chat.postEphemeral' }]);
    expect((await app.client.users.info({ user: ALICE })).user).toMatchObject({ id: ALICE, is_bot: false });
    expect((await app.client.users.info({ user: 'U0BOT' })).user).toMatchObject({ id: 'U0BOT', is_bot: true });

    fake.rateLimitNext('chat.update', 0);
    const limited = await fetch(`${fake.apiUrl}chat.update`, { method: 'POST', headers: { authorization: `Bearer ${fake.botToken}` } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });

    fake.failNext('chat.postMessage', 'ratelimited');
    await expect(app.client.chat.postMessage({ channel: 'C0001', text: 'x' })).rejects.toMatchObject({ data: { error: 'ratelimited' } });
    expect((await app.client.chat.postMessage({ channel: 'C0001', text: 'x' })).ok).toBe(true);
    await expect(fake.waitForCall('chat.delete', undefined, 50)).rejects.toThrow(/no matching chat.delete call within 50 ms; calls seen: auth.test/);
  });
});

describe('fake Slack over Socket Mode with the real Bolt App', () => {
  it('connects with the app token (hello), delivers an app_mention envelope that is acked, and say() lands in the thread', async () => {
    await socket((app) => {
      app.event('app_mention', async ({ event, say }) => {
        await say({ text: 'over the socket', thread_ts: event.thread_ts ?? event.ts });
      });
    });
    await fake.waitForSocket();
    const open = await fake.waitForCall('apps.connections.open');
    expect(open.token).toBe(fake.appToken);
    const body = fake.mentionEvent({ channel: 'C0001', user: ALICE, text: 'hi' });
    const ack = await fake.sendSocket(body);
    expect(ack.envelope_id).toMatch(/^[0-9a-f-]{36}$/);
    await fake.waitForCall('chat.postMessage');
    expect(fake.botMessages('C0001')).toEqual([expect.objectContaining({ thread_ts: body.event.ts, text: 'over the socket' })]);
  });

  it('retry_attempt reaches context.retryNum (0 on a first delivery, as Slack sends); commands and shortcuts are acked with their payload', async () => {
    const retries: (number | undefined)[] = [];
    const shortcuts: string[] = [];
    await socket((app) => {
      app.event('app_mention', async ({ context }) => void retries.push(context.retryNum));
      app.command('/glance', async ({ ack }) => {
        await ack({ text: 'on it', response_type: 'ephemeral' });
      });
      app.shortcut('describe_image', async ({ shortcut, ack }) => {
        await ack();
        shortcuts.push((shortcut as any).message_ts);
      });
    });
    const body = fake.mentionEvent({ channel: 'C0002', user: ALICE, text: 'again' });
    await fake.sendSocket(body);
    await fake.sendSocket(body, { retryAttempt: 2 });
    await expect.poll(() => retries).toEqual([0, 2]);

    const commandAck = await fake.sendSocket(fake.slashCommand({ text: 'caption', channel: 'C0002', user: ALICE }));
    expect(commandAck.payload).toEqual({ text: 'on it', response_type: 'ephemeral' });
    const { ts } = fake.storeMessage({ channel: 'C0002', user: ALICE, text: 'pic' });
    const shortcutAck = await fake.sendSocket(fake.messageShortcut({ callbackId: 'describe_image', channel: 'C0002', user: ALICE, messageTs: ts }));
    expect(shortcutAck.envelope_id).toBeTruthy();
    await expect.poll(() => shortcuts).toEqual([ts]);
    expect(fake.socketConnections).toBe(1);
  });

  it('reconnects through apps.connections.open when asked to (type: disconnect)', async () => {
    const seen: string[] = [];
    await socket((app) => {
      app.event('app_mention', async ({ event }) => void seen.push(event.text));
    }, { clientPingTimeoutMs: 100 });
    fake.requestSocketReconnect();
    await expect.poll(() => fake.socketConnections, { timeout: 5000 }).toBe(2);
    await fake.waitForSocket();
    await fake.sendSocket(fake.mentionEvent({ channel: 'C0001', user: ALICE, text: 'after' }));
    await expect.poll(() => seen).toEqual(['<@U0BOT> after']);
    expect(fake.calls.filter((call) => call.method === 'apps.connections.open')).toHaveLength(2);
  });
});
