/**
 * The JSON Slack sends and answers with, built from the fake's stored objects: message objects (as in
 * conversations.history), Events API bodies (`event_callback` with `message` / `app_mention`), slash command form
 * fields and message shortcut (`message_action`) payloads.
 */
import type { FakeSlackFile, SlackIdentity, StoredChannel, StoredMessage } from './slack-objects.ts';

/** Slack's rich_text block for plain message text, with `<@U…>` mentions as user elements. */
export function richTextBlocks(text: string): any[] {
  if (text === '') return [];
  const elements: any[] = [];
  let last = 0;
  for (const match of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) {
    if (match.index > last) elements.push({ type: 'text', text: text.slice(last, match.index) });
    elements.push({ type: 'user', user_id: match[1] });
    last = match.index + match[0].length;
  }
  if (last < text.length) elements.push({ type: 'text', text: text.slice(last) });
  return [{ type: 'rich_text', block_id: blockId(text), elements: [{ type: 'rich_text_section', elements }] }];
}

function blockId(text: string): string {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).padStart(5, '0').slice(0, 5);
}

/** How an event shows a file the app may only see by id (Slack Connect and similar): look it up with files.info. */
export function idOnlyFile(file: FakeSlackFile): any {
  return { id: file.id, mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: file.user };
}

/**
 * A message as conversations.history / conversations.replies return it: `replies` are the thread's replies when it
 * is a thread's parent, `parentUser` the parent's author when it is a reply.
 */
export function messageJson(identity: SlackIdentity, message: StoredMessage, thread: { replies?: StoredMessage[]; parentUser?: string } = {}): any {
  const replies = thread.replies ?? [];
  const json: any = { type: 'message', user: message.user, text: message.text, ts: message.ts, team: identity.teamId };
  if (message.fromBot) {
    json.bot_id = identity.botId;
    json.app_id = identity.appId;
    json.bot_profile = { id: identity.botId, app_id: identity.appId, name: 'glance', deleted: false, team_id: identity.teamId };
    json.blocks = message.blocks ?? [];
  } else {
    json.client_msg_id = clientMessageId(message.ts);
    json.blocks = message.blocks ?? richTextBlocks(message.text);
  }
  if (message.files?.length) {
    json.subtype = 'file_share';
    json.files = message.files;
    json.upload = false;
    json.display_as_bot = false;
  }
  if (message.edited) json.edited = message.edited;
  Object.assign(json, threadFields(message, thread.parentUser));
  if (replies.length > 0) {
    json.thread_ts = message.ts;
    json.reply_count = replies.length;
    json.reply_users = [...new Set(replies.map((reply) => reply.user))];
    json.reply_users_count = json.reply_users.length;
    json.latest_reply = replies[replies.length - 1].ts;
    json.is_locked = false;
    json.subscribed = false;
  }
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key];
  return json;
}

function clientMessageId(ts: string): string {
  const hex = Buffer.from(ts.padEnd(16, '0')).toString('hex').slice(0, 32).padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The outer Events API body around an inner event. */
export function eventCallback(identity: SlackIdentity, event: any, eventId: string): any {
  const eventTime = Math.floor(Number(event.event_ts ?? event.ts ?? Date.now() / 1000));
  return {
    token: identity.verificationToken,
    team_id: identity.teamId,
    context_team_id: identity.teamId,
    context_enterprise_id: null,
    api_app_id: identity.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: eventTime,
    authorizations: [
      { enterprise_id: null, team_id: identity.teamId, user_id: identity.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${identity.teamId}:${event.channel ?? ''}:${event.type}`).toString('base64url')}`,
  };
}

export interface EventMessageOptions {
  parentUser?: string;
  idOnlyFiles?: boolean;
  channelType: 'channel' | 'im' | 'group';
}

/** The inner `message` event for a stored message (subtype `file_share` when it carries files). */
export function messageEventJson(identity: SlackIdentity, message: StoredMessage, options: EventMessageOptions): any {
  const event: any = {
    type: 'message',
    ...(message.files?.length ? { subtype: 'file_share' } : {}),
    user: message.user,
    text: message.text,
    ts: message.ts,
    ...threadFields(message, options.parentUser),
    team: identity.teamId,
    client_msg_id: clientMessageId(message.ts),
    blocks: richTextBlocks(message.text),
    channel: message.channel,
    event_ts: message.ts,
    channel_type: options.channelType,
  };
  if (message.files?.length) {
    event.files = options.idOnlyFiles ? message.files.map(idOnlyFile) : message.files;
    event.upload = false;
    event.display_as_bot = false;
  }
  return event;
}

/** The inner `app_mention` event for a stored message that mentions the bot. */
export function mentionEventJson(identity: SlackIdentity, message: StoredMessage, options: Omit<EventMessageOptions, 'channelType'>): any {
  const event: any = {
    type: 'app_mention',
    user: message.user,
    text: message.text,
    ts: message.ts,
    ...threadFields(message, options.parentUser),
    client_msg_id: clientMessageId(message.ts),
    team: identity.teamId,
    blocks: richTextBlocks(message.text),
    channel: message.channel,
    event_ts: message.ts,
  };
  if (message.files?.length) {
    event.files = options.idOnlyFiles ? message.files.map(idOnlyFile) : message.files;
    event.upload = false;
    event.display_as_bot = false;
  }
  return event;
}

function threadFields(message: StoredMessage, parentUser: string | undefined): any {
  if (message.threadTs === undefined || message.threadTs === message.ts) return {};
  return { thread_ts: message.threadTs, ...(parentUser ? { parent_user_id: parentUser } : {}) };
}

export interface CommandContext {
  command: string;
  text: string;
  channel: StoredChannel;
  user: string;
  responseUrl: string;
  triggerId: string;
}

/** The form fields Slack POSTs for a slash command (Socket Mode sends the same fields as the envelope payload). */
export function slashCommandFields(identity: SlackIdentity, input: CommandContext): Record<string, string> {
  return {
    token: identity.verificationToken,
    team_id: identity.teamId,
    team_domain: identity.teamDomain,
    channel_id: input.channel.id,
    channel_name: input.channel.isIm ? 'directmessage' : input.channel.name,
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: identity.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

export interface ShortcutContext {
  callbackId: string;
  channel: StoredChannel;
  user: string;
  message: any;
  responseUrl: string;
  triggerId: string;
}

/** The interactive payload of a message shortcut (`type: 'message_action'`). */
export function messageShortcutPayload(identity: SlackIdentity, input: ShortcutContext): any {
  return {
    type: 'message_action',
    token: identity.verificationToken,
    action_ts: `${(Date.now() / 1000).toFixed(6)}`,
    team: { id: identity.teamId, domain: identity.teamDomain },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: identity.teamId, name: input.user.toLowerCase() },
    channel: { id: input.channel.id, name: input.channel.isIm ? 'directmessage' : input.channel.name },
    is_enterprise_install: false,
    enterprise: null,
    api_app_id: identity.appId,
    callback_id: input.callbackId,
    trigger_id: input.triggerId,
    response_url: input.responseUrl,
    message_ts: input.message.ts,
    message: input.message,
  };
}
