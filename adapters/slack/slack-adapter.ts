/**
 * The Slack adapter: checks the bot token (auth.test), starts Bolt in Socket Mode (SLACK_APP_TOKEN) or HTTP mode
 * (SLACK_SIGNING_SECRET + SLACK_PORT, `/slack/events`), routes events, the /glance command and the "Describe image"
 * shortcut to their handlers, drops retried deliveries of an event already seen (event_id), and on close stops Bolt
 * after the work in flight. Events are acknowledged by Bolt before any work; commands and shortcuts ack first.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { unreachableError } from '../shared/network-failure.ts';
import { AdapterWork } from '../shared/adapter-work.ts';
import { chatAdapterContext, type ChatAdapterOptions } from '../shared/chat-adapter-context.ts';
import { boltLogger } from './bolt-logger.ts';
import { DESCRIBE_IMAGE_CALLBACK_ID, describeImageShortcut } from './describe-image-shortcut.ts';
import { EventDeduplicator } from './event-dedup.ts';
import { teamOf } from './event-fields.ts';
import { DEFAULT_SLACK_DOWNLOAD_TIMEOUT_MS, downloadSlackFile } from './file-download.ts';
import { glanceCommand, type Respond } from './glance-command.ts';
import { handleMention } from './mention-listener.ts';
import { handleMessageEvent } from './message-listener.ts';
import { authTest, createSlackApp, SLACK_EVENTS_PATH } from './slack-app.ts';
import type { SlackAdapterContext } from './slack-context.ts';
import { slackMode } from './slack-mode.ts';

/** `service`: a GlanceService; only `run` is used, so benchmarks can time it. */
export type SlackAdapterOptions = ChatAdapterOptions;

export interface SlackAdapter {
  mode: 'socket' | 'http';
  /** HTTP mode: where Slack must POST (`http://127.0.0.1:PORT/slack/events`; the receiver listens on every interface). */
  url?: string;
  /** Takes no new work, lets the work in flight reply (up to 10 s), then stops Bolt (socket closed / server stopped). */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 10_000;

export async function startSlackAdapter(options: SlackAdapterOptions): Promise<SlackAdapter> {
  const { config, log } = options;
  const mode = slackMode(config);
  const logger = boltLogger(log);
  const apiUrl = config.slack.apiUrl;
  let identity;
  try {
    identity = await authTest(mode.botToken, apiUrl, logger);
  } catch (error) {
    const unreachable = unreachableError(error, { what: 'Slack', url: apiUrl, variable: 'SLACK_API_URL', doing: 'to check the bot token (auth.test)' });
    if (unreachable) throw unreachable;
    const reason = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    throw new GlanceError(ErrorCode.ConfigInvalid, `Slack auth.test failed (${reason}); check SLACK_BOT_TOKEN and SLACK_API_URL.`, { variables: ['SLACK_BOT_TOKEN', 'SLACK_API_URL'] }, { cause: error });
  }
  const app = createSlackApp(mode, apiUrl, identity, logger);
  const context: SlackAdapterContext = {
    ...chatAdapterContext(options, (url) =>
      downloadSlackFile(url, { fileHosts: config.slack.fileHosts, botToken: mode.botToken, maxBytes: config.limits.maxImageBytes, timeoutMs: DEFAULT_SLACK_DOWNLOAD_TIMEOUT_MS }),
    ),
    client: app.client,
    botUserId: identity.botUserId,
    teamId: identity.teamId,
  };

  const work = new AdapterWork('Slack', log);

  const dedup = new EventDeduplicator();
  app.use(async ({ body, context: boltContext, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string' && !dedup.firstDelivery(eventId)) {
      log?.info({ component: 'slack', eventId, retryNum: boltContext.retryNum, retryReason: boltContext.retryReason }, 'a retried Slack event was already handled; ignored');
      return;
    }
    await next();
  });
  app.event('app_mention', async ({ body, event }) => work.track(() => handleMention(context, body, event), 'app_mention'));
  app.event('message', async ({ body, event }) => work.track(() => handleMessageEvent(context, body, event), 'message event'));
  app.command('/glance', async ({ command, ack, respond }) => {
    await ack();
    const fields = { text: command.text ?? '', channelId: command.channel_id, userId: command.user_id, team: teamOf(command, identity.teamId), channelName: command.channel_name };
    work.track(() => glanceCommand(context, fields, respond as Respond), '/glance');
  });
  app.shortcut(DESCRIBE_IMAGE_CALLBACK_ID, async ({ shortcut, ack, respond }) => {
    await ack();
    work.track(() => describeImageShortcut(context, shortcut, respond as Respond | undefined), 'Describe image');
  });
  app.error(async (error) => {
    log?.error({ component: 'slack', err: error }, 'Slack event handling failed');
  });

  let url: string | undefined;
  try {
    if (mode.mode === 'http') {
      const server = await app.start(mode.port);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : mode.port;
      url = `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`;
    } else {
      await app.start();
    }
  } catch (error) {
    await app.stop().catch(() => {});
    const unreachable = mode.mode === 'socket' ? unreachableError(error, { what: 'Slack', url: apiUrl, variable: 'SLACK_API_URL', doing: 'to open the Socket Mode connection' }) : undefined;
    if (unreachable) throw unreachable;
    const hint = mode.mode === 'http' ? `could not listen on SLACK_PORT ${mode.port}` : 'could not open the Socket Mode connection; check SLACK_APP_TOKEN and SLACK_API_URL';
    throw new GlanceError(ErrorCode.ConfigInvalid, `The Slack adapter ${hint} (${(error as Error).message}).`, { variables: mode.mode === 'http' ? ['SLACK_PORT'] : ['SLACK_APP_TOKEN', 'SLACK_API_URL'] }, { cause: error });
  }
  log?.info({ component: 'slack', mode: mode.mode, botUserId: identity.botUserId, team: identity.teamId, ...(url ? { url } : {}) }, 'Slack adapter started');
  let closed: Promise<void> | undefined;
  return {
    mode: mode.mode,
    ...(url ? { url } : {}),
    close() {
      closed ??= (async () => {
        await work.drain(CLOSE_GRACE_MS);
        await app.stop();
      })();
      return closed;
    },
  };
}
