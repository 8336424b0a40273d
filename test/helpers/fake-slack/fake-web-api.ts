/**
 * The fake Slack Web API methods: token checks as Slack does them (`not_authed`, `invalid_auth`,
 * `not_allowed_token_type`), then auth.test, apps.connections.open, chat.*, files.info, conversations.*, users.info
 * and views.open over the store, answering Slack's JSON (`ok`, and Slack's error names when not ok).
 */
import type { SlackStore } from './fake-slack-store.ts';
import { compareTs, slackId, type SlackIdentity, type StoredChannel, type StoredMessage } from './slack-objects.ts';

export interface WebApiContext {
  identity: SlackIdentity;
  store: SlackStore;
  /** A fresh Socket Mode URL (apps.connections.open). */
  openSocketUrl(): string;
}

type Answer = Record<string, any>;
interface Failure {
  ok: false;
  error: string;
}
type Method = (args: Record<string, any>, context: WebApiContext) => Answer;

/** Form fields the Web API client sends JSON-encoded; read back as objects. */
export const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

const MAX_TEXT = 40_000;

function fail(error: string): Failure {
  return { ok: false, error };
}

/** Runs `method` as Slack would for a caller holding `token`. */
export function callWebApi(method: string, args: Record<string, any>, token: string | undefined, context: WebApiContext): Answer {
  const handler = METHODS[method];
  if (!handler) return fail('unknown_method');
  if (!token) return fail('not_authed');
  const { botToken, appToken } = context.identity;
  if (token !== botToken && token !== appToken) return fail('invalid_auth');
  const needsAppToken = method === 'apps.connections.open';
  if ((token === appToken) !== needsAppToken) return fail('not_allowed_token_type');
  return handler(args, context);
}

/** Reads a channel the bot may act in: channel_not_found / not_in_channel otherwise. */
function memberChannel(args: Record<string, any>, context: WebApiContext): StoredChannel | Failure {
  const channel = typeof args.channel === 'string' ? context.store.channels.get(args.channel) : undefined;
  if (!channel) return fail('channel_not_found');
  if (!channel.isMember) return fail('not_in_channel');
  return channel;
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as Failure).ok === false;
}

function textOf(args: Record<string, any>): string | Failure {
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (args.blocks !== undefined && !Array.isArray(args.blocks)) return fail('invalid_blocks');
  if (Array.isArray(args.blocks) && args.blocks.length > 50) return fail('invalid_blocks');
  const text = args.text === undefined ? '' : String(args.text);
  if (text === '' && !hasBlocks && !hasAttachments) return fail('no_text');
  if (text.length > MAX_TEXT) return fail('msg_too_long');
  return text;
}

function channelJson(channel: StoredChannel, identity: SlackIdentity): Answer {
  if (channel.isIm) {
    return { id: channel.id, created: channel.created, is_im: true, is_org_shared: false, user: channel.imUser ?? null, is_user_deleted: false, priority: 0 };
  }
  return {
    id: channel.id,
    name: channel.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: false,
    created: channel.created,
    is_archived: false,
    is_general: channel.name === 'general',
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: identity.teamId,
    creator: 'U0ADMIN',
    is_ext_shared: false,
    shared_team_ids: [identity.teamId],
    is_member: channel.isMember,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
  };
}

/** Applies latest/oldest/inclusive to messages (oldest first). */
function inWindow(messages: StoredMessage[], args: Record<string, any>): StoredMessage[] {
  const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1' || args.inclusive === 1;
  return messages.filter((message) => {
    if (args.latest !== undefined && args.latest !== '') {
      const order = compareTs(message.ts, String(args.latest));
      if (order > 0 || (order === 0 && !inclusive)) return false;
    }
    if (args.oldest !== undefined && args.oldest !== '') {
      const order = compareTs(message.ts, String(args.oldest));
      if (order < 0 || (order === 0 && !inclusive)) return false;
    }
    return true;
  });
}

function limitOf(args: Record<string, any>, fallback: number): number {
  const limit = Number(args.limit);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 999) : fallback;
}

function offsetOf(args: Record<string, any>): number {
  if (typeof args.cursor !== 'string' || args.cursor === '') return 0;
  const offset = Number(Buffer.from(args.cursor, 'base64').toString('utf8').replace(/^offset:/, ''));
  return Number.isInteger(offset) && offset >= 0 ? offset : 0;
}

function page<T>(items: T[], args: Record<string, any>, fallbackLimit: number): { items: T[]; hasMore: boolean; nextCursor: string } {
  const offset = offsetOf(args);
  const limit = limitOf(args, fallbackLimit);
  const hasMore = offset + limit < items.length;
  return { items: items.slice(offset, offset + limit), hasMore, nextCursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' };
}

function permalink(identity: SlackIdentity, message: StoredMessage): string {
  const base = `https://${identity.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
  return message.threadTs === undefined ? base : `${base}?thread_ts=${message.threadTs}&cid=${message.channel}`;
}

const METHODS: Record<string, Method> = {
  'auth.test': (_args, { identity }) => ({
    ok: true,
    url: `https://${identity.teamDomain}.slack.com/`,
    team: 'Fake Workspace',
    user: 'glance',
    team_id: identity.teamId,
    user_id: identity.botUserId,
    bot_id: identity.botId,
    is_enterprise_install: false,
  }),

  'apps.connections.open': (_args, context) => ({ ok: true, url: context.openSocketUrl() }),

  'chat.postMessage': (args, context) => {
    const channel = memberChannel(args, context);
    if (isFailure(channel)) return channel;
    const text = textOf(args);
    if (isFailure(text)) return text;
    const threadTs = args.thread_ts === undefined || args.thread_ts === '' ? undefined : String(args.thread_ts);
    const message = context.store.addMessage({
      channel: channel.id,
      user: context.identity.botUserId,
      text,
      threadTs,
      blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
      fromBot: true,
    });
    return { ok: true, channel: channel.id, ts: message.ts, message: context.store.toJson(message) };
  },

  'chat.update': (args, context) => {
    const channel = memberChannel(args, context);
    if (isFailure(channel)) return channel;
    const message = typeof args.ts === 'string' ? context.store.findMessage(channel.id, args.ts) : undefined;
    if (!message) return fail('message_not_found');
    if (!message.fromBot) return fail('cant_update_message');
    const text = textOf(args);
    if (isFailure(text)) return text;
    message.text = text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    message.edited = { user: context.identity.botUserId, ts: context.store.clock.next() };
    const json = context.store.toJson(message);
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: json };
  },

  'chat.postEphemeral': (args, context) => {
    const channel = memberChannel(args, context);
    if (isFailure(channel)) return channel;
    if (typeof args.user !== 'string' || args.user === '') return fail('user_not_in_channel');
    const text = textOf(args);
    if (isFailure(text)) return text;
    context.store.ephemerals.push({ channel: channel.id, user: args.user, text, blocks: Array.isArray(args.blocks) ? args.blocks : undefined, via: 'chat.postEphemeral' });
    return { ok: true, message_ts: context.store.clock.next() };
  },

  'chat.getPermalink': (args, context) => {
    const channel = typeof args.channel === 'string' ? context.store.channels.get(args.channel) : undefined;
    if (!channel) return fail('channel_not_found');
    const message = typeof args.message_ts === 'string' ? context.store.findMessage(channel.id, args.message_ts) : undefined;
    if (!message) return fail('message_not_found');
    return { ok: true, channel: channel.id, permalink: permalink(context.identity, message) };
  },

  'files.info': (args, context) => {
    const stored = typeof args.file === 'string' ? context.store.filesById.get(args.file) : undefined;
    if (!stored) return fail('file_not_found');
    return { ok: true, file: stored.file, comments: [], response_metadata: { next_cursor: '' } };
  },

  'conversations.info': (args, context) => {
    const channel = typeof args.channel === 'string' ? context.store.channels.get(args.channel) : undefined;
    if (!channel) return fail('channel_not_found');
    return { ok: true, channel: channelJson(channel, context.identity) };
  },

  'conversations.history': (args, context) => {
    const channel = memberChannel(args, context);
    if (isFailure(channel)) return channel;
    const newestFirst = inWindow(context.store.topLevel(channel.id), args).reverse();
    const { items, hasMore, nextCursor } = page(newestFirst, args, 100);
    return {
      ok: true,
      messages: items.map((message) => context.store.toJson(message)),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: nextCursor },
    };
  },

  'conversations.replies': (args, context) => {
    const channel = memberChannel(args, context);
    if (isFailure(channel)) return channel;
    const message = typeof args.ts === 'string' ? context.store.findMessage(channel.id, args.ts) : undefined;
    if (!message) return fail('thread_not_found');
    const thread = message.threadTs === undefined ? [message, ...context.store.replies(channel.id, message.ts)] : [message];
    const [parent, ...rest] = thread;
    const { items, hasMore, nextCursor } = page([parent, ...inWindow(rest, args)], args, 1000);
    return {
      ok: true,
      messages: items.map((item) => context.store.toJson(item)),
      has_more: hasMore,
      response_metadata: { next_cursor: nextCursor },
    };
  },

  'users.info': (args, { identity }) => {
    const id = typeof args.user === 'string' ? args.user : '';
    if (!/^[UWB][A-Z0-9]+$/.test(id)) return fail('user_not_found');
    const isBot = id === identity.botUserId;
    const name = isBot ? 'glance' : id.toLowerCase();
    return {
      ok: true,
      user: {
        id,
        team_id: identity.teamId,
        name,
        deleted: false,
        real_name: name,
        tz: 'Etc/UTC',
        tz_offset: 0,
        is_admin: false,
        is_owner: false,
        is_bot: isBot,
        is_app_user: false,
        updated: 0,
        profile: { real_name: name, display_name: name, ...(isBot ? { bot_id: identity.botId, api_app_id: identity.appId } : {}) },
      },
    };
  },

  'views.open': (args, context) => {
    if (typeof args.trigger_id !== 'string' || args.trigger_id === '') return fail('invalid_arguments');
    if (!context.store.triggerIds.has(args.trigger_id)) return fail('invalid_trigger_id');
    context.store.triggerIds.delete(args.trigger_id);
    if (typeof args.view !== 'object' || args.view === null) return fail('invalid_arguments');
    const view = {
      id: slackId('V'),
      team_id: context.identity.teamId,
      ...args.view,
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${slackId('', 8)}`,
      app_id: context.identity.appId,
      bot_id: context.identity.botId,
    };
    return { ok: true, view };
  },
};
