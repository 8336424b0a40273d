/**
 * The fake's REST API v10 routes: gateway info, users, applications and commands, channels and messages (JSON or
 * multipart with payload_json), typing, reactions, guilds and members, interaction callbacks and the interaction
 * webhooks. Errors carry Discord's codes and messages (10003 Unknown Channel, 10008 Unknown Message, 50013 Missing
 * Permissions, 50035 Invalid Form Body, 40060 already acknowledged, …).
 */
import { ChannelTypes, MessageFlags, Permissions, attachmentJson, channelJson, snowflake, userJson, type FakeMessage, type StoredChannel } from './discord-objects.ts';
import type { FakeCdn } from './fake-cdn.ts';
import type { FakeStore, StoredInteraction } from './fake-store.ts';
import type { UploadedFile } from './request-body.ts';

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  files: UploadedFile[];
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RestContext {
  store: FakeStore;
  cdn: FakeCdn;
  gatewayUrl: () => string;
  /** Sends a message event to every live gateway session (each sees it as its intents allow). */
  dispatchMessage: (t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: FakeMessage) => void;
  /** Sends a dispatch to every live gateway session. */
  dispatch: (t: string, d: unknown) => void;
  /** A message as REST shows it to this app (content blanked without the MESSAGE_CONTENT intent; attachment links that work). */
  restView: (message: FakeMessage) => FakeMessage;
  /** How long after INTERACTION_CREATE the initial response may come (Discord: 3 s); later → 404 10062. */
  interactionDeadlineMs: number;
}

type Handler = (params: string[], request: RestRequest, context: RestContext) => RestResult;

interface Route {
  method: string;
  pattern: RegExp;
  /** Needs `Authorization: Bot <token>` (interaction callbacks and webhook-token routes do not). */
  auth: boolean;
  handler: Handler;
}

const MAX_CONTENT = 2000;
const MAX_FILES = 10;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const UNKNOWN: Record<number, string> = {
  10003: 'Unknown Channel',
  10004: 'Unknown Guild',
  10007: 'Unknown Member',
  10008: 'Unknown Message',
  10013: 'Unknown User',
  10015: 'Unknown Webhook',
  10062: 'Unknown interaction',
  10063: 'Unknown application command',
};

export function discordError(status: number, code: number, message: string, errors?: unknown): RestResult {
  return { status, body: { message, code, ...(errors === undefined ? {} : { errors }) } };
}

const unknown = (code: number): RestResult => discordError(404, code, UNKNOWN[code]);
const invalidForm = (errors: unknown): RestResult => discordError(400, 50035, 'Invalid Form Body', errors);
const fieldError = (code: string, message: string) => ({ _errors: [{ code, message }] });
const ok = (body: unknown): RestResult => ({ status: 200, body });
const noContent: RestResult = { status: 204 };

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Checks a message body as Discord does; returns the error to answer, or undefined. */
function validateMessage(body: any, files: UploadedFile[], creating: boolean): RestResult | undefined {
  const content = body?.content;
  if (typeof content === 'string' && content.length > MAX_CONTENT) {
    return invalidForm({ content: fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`) });
  }
  if (Array.isArray(body?.embeds) && body.embeds.length > 10) return invalidForm({ embeds: fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.') });
  if (files.length > MAX_FILES) return invalidForm({ attachments: fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${MAX_FILES} or fewer in length.`) });
  if (files.some((file) => file.size > MAX_UPLOAD_BYTES)) return discordError(413, 40005, 'Request entity too large');
  const empty =
    !content &&
    !(Array.isArray(body?.embeds) && body.embeds.length) &&
    !(Array.isArray(body?.components) && body.components.length) &&
    !(Array.isArray(body?.sticker_ids) && body.sticker_ids.length) &&
    !body?.poll &&
    files.length === 0;
  if (creating && empty) return discordError(400, 50006, 'Cannot send an empty message');
  return undefined;
}

/** Stores uploaded files on the CDN and returns their attachment objects (descriptions from payload attachments). */
function uploadedAttachments(context: RestContext, channelId: string, body: any, files: UploadedFile[]): any[] {
  return files.map((file, index) => {
    const declared = Array.isArray(body?.attachments)
      ? body.attachments.find((attachment: { id?: unknown }) => String(attachment.id) === String(index) || `files[${String(attachment.id)}]` === file.field)
      : undefined;
    const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
    const contentType = file.contentType && file.contentType !== 'application/octet-stream' ? file.contentType : EXTENSION_TYPES[extension];
    const id = snowflake();
    const url = context.cdn.store('attachments', channelId, id, file.name, file.bytes, contentType);
    return attachmentJson({ id, filename: file.name, size: file.size, url, contentType, description: declared?.description ?? undefined });
  });
}

function channelOr404(context: RestContext, channelId: string): StoredChannel | RestResult {
  return context.store.channels.get(channelId) ?? unknown(10003);
}

const isResult = (value: unknown): value is RestResult => typeof value === 'object' && value !== null && 'status' in value && !('id' in value);

function createChannelMessage([channelId]: string[], request: RestRequest, context: RestContext): RestResult {
  const channel = channelOr404(context, channelId);
  if (isResult(channel)) return channel;
  if (context.store.deniedSend.has(channelId)) return discordError(403, 50013, 'Missing Permissions');
  const { body, files } = request;
  const invalid = validateMessage(body, files, true);
  if (invalid) return invalid;
  let replyTo: FakeMessage | undefined;
  const reference = body?.message_reference;
  if (reference?.message_id !== undefined && channel.guildId !== undefined && !(context.store.botPermissions(channel) & Permissions.ReadMessageHistory)) {
    return discordError(403, 50013, 'Missing Permissions'); // a reply (or forward) needs Read Message History
  }
  if (reference?.message_id !== undefined && reference.type !== 1) {
    replyTo = context.store.message(reference.channel_id ?? channelId, String(reference.message_id));
    if (!replyTo && reference.fail_if_not_exists !== false) {
      return invalidForm({ message_reference: fieldError('MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message') });
    }
  }
  const message = context.store.createMessage({
    channel,
    author: context.store.botUser,
    content: body?.content ?? '',
    embeds: body?.embeds,
    components: body?.components,
    flags: body?.flags,
    attachments: uploadedAttachments(context, channelId, body, files),
    replyTo,
    mentionRepliedUser: body?.allowed_mentions === undefined || body.allowed_mentions === null ? true : body.allowed_mentions.replied_user === true,
  });
  context.store.recordBotMessage(message);
  context.dispatchMessage('MESSAGE_CREATE', message);
  return ok(context.restView(message));
}

function editChannelMessage([channelId, messageId]: string[], request: RestRequest, context: RestContext): RestResult {
  const message = context.store.message(channelId, messageId);
  if (!message) return unknown(10008);
  if (message.author.id !== context.store.botUser.id) return discordError(403, 50005, 'Cannot edit a message authored by another user');
  const invalid = validateMessage(request.body, request.files, false);
  if (invalid) return invalid;
  context.store.editMessage(message, request.body, uploadedAttachments(context, channelId, request.body, request.files));
  context.dispatchMessage('MESSAGE_UPDATE', message);
  return ok(context.restView(message));
}

function deleteChannelMessage([channelId, messageId]: string[], _request: RestRequest, context: RestContext): RestResult {
  const message = context.store.message(channelId, messageId);
  if (!message) return unknown(10008);
  context.store.messages.delete(messageId);
  const ids = context.store.botMessageIds.get(channelId);
  if (ids) context.store.botMessageIds.set(channelId, ids.filter((id) => id !== messageId));
  context.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: channelId, ...(message.guild_id ? { guild_id: message.guild_id } : {}) });
  return noContent;
}

function listChannelMessages([channelId]: string[], request: RestRequest, context: RestContext): RestResult {
  const channel = channelOr404(context, channelId);
  if (isResult(channel)) return channel;
  const limit = Math.min(100, Math.max(1, Number(request.query.get('limit') ?? 50)));
  const before = request.query.get('before');
  const after = request.query.get('after');
  let messages = [...context.store.messages.values()].filter((message) => message.channel_id === channelId);
  if (before) messages = messages.filter((message) => BigInt(message.id) < BigInt(before));
  if (after) messages = messages.filter((message) => BigInt(message.id) > BigInt(after));
  messages.sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  return ok(messages.slice(0, limit).map((message) => context.restView(message)));
}

function createDm(_params: string[], request: RestRequest, context: RestContext): RestResult {
  const recipientId = String(request.body?.recipient_id ?? '');
  const user = context.store.users.get(recipientId);
  if (!user) return unknown(10013);
  const existing = [...context.store.channels.values()].find((channel) => channel.type === ChannelTypes.DM && channel.recipient?.id === recipientId);
  return ok(channelJson(existing ?? context.store.dmChannel(snowflake(), user), true));
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Checks one command as Discord does (name pattern, description rules per type); returns its errors or undefined. */
function commandErrors(command: any): Record<string, unknown> | undefined {
  const type = command?.type ?? 1;
  const errors: Record<string, unknown> = {};
  const name = command?.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 32) errors.name = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
  else if (type === 1 && (!COMMAND_NAME.test(name) || name !== name.toLowerCase())) errors.name = fieldError('APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  if (type === 1) {
    if (typeof command.description !== 'string' || command.description.length === 0 || command.description.length > 100) {
      errors.description = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    const options: any[] = command.options ?? [];
    if (options.length > 25) errors.options = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    options.forEach((option, index) => {
      const optionErrors = commandErrors({ ...option, type: 1 });
      if (optionErrors) errors.options = { ...(errors.options as object), [index]: optionErrors };
    });
  } else if (command.description !== undefined && command.description !== '') {
    errors.description = fieldError('APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have description');
  }
  return Object.keys(errors).length ? errors : undefined;
}

function storedCommand(context: RestContext, command: any, guildId: string | undefined, existing: any[]): any {
  const previous = existing.find((stored) => stored.name === command.name && stored.type === (command.type ?? 1));
  return {
    ...command,
    id: previous?.id ?? snowflake(),
    application_id: context.store.applicationId,
    version: snowflake(),
    type: command.type ?? 1,
    description: command.description ?? '',
    default_member_permissions: command.default_member_permissions ?? null,
    nsfw: command.nsfw ?? false,
    ...(guildId ? { guild_id: guildId } : {}),
  };
}

function commandScope(context: RestContext, [applicationId, guildId]: string[]): string | RestResult {
  if (applicationId !== context.store.applicationId) return discordError(403, 50001, 'Missing Access');
  if (guildId !== undefined && !context.store.guilds.has(guildId)) return unknown(10004);
  return guildId ?? 'global';
}

function putCommands(params: string[], request: RestRequest, context: RestContext): RestResult {
  const scope = commandScope(context, params);
  if (typeof scope !== 'string') return scope;
  if (!Array.isArray(request.body)) return invalidForm({ _errors: [{ code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' }] });
  const errors: Record<string, unknown> = {};
  request.body.forEach((command: any, index: number) => {
    const commandError = commandErrors(command);
    if (commandError) errors[index] = commandError;
  });
  if (Object.keys(errors).length) return invalidForm(errors);
  const existing = context.store.commands.get(scope) ?? [];
  const commands = request.body.map((command: any) => storedCommand(context, command, params[1], existing));
  context.store.commands.set(scope, commands);
  return ok(commands);
}

function postCommand(params: string[], request: RestRequest, context: RestContext): RestResult {
  const scope = commandScope(context, params);
  if (typeof scope !== 'string') return scope;
  const commandError = commandErrors(request.body);
  if (commandError) return invalidForm(commandError);
  const existing = context.store.commands.get(scope) ?? [];
  const command = storedCommand(context, request.body, params[1], existing);
  context.store.commands.set(scope, [...existing.filter((stored) => stored.id !== command.id), command]);
  return { status: existing.some((stored) => stored.id === command.id) ? 200 : 201, body: command };
}

function getCommands(params: string[], _request: RestRequest, context: RestContext): RestResult {
  const scope = commandScope(context, params);
  if (typeof scope !== 'string') return scope;
  return ok(context.store.commands.get(scope) ?? []);
}

function deleteCommand([applicationId, commandId]: string[], _request: RestRequest, context: RestContext): RestResult {
  const scope = commandScope(context, [applicationId]);
  if (typeof scope !== 'string') return scope;
  const existing = context.store.commands.get(scope) ?? [];
  if (!existing.some((command) => command.id === commandId)) return unknown(10063);
  context.store.commands.set(scope, existing.filter((command) => command.id !== commandId));
  return noContent;
}

function interactionFor(context: RestContext, token: string, applicationId?: string): StoredInteraction | undefined {
  if (applicationId !== undefined && applicationId !== context.store.applicationId) return undefined;
  return context.store.interactions.get(token);
}

/** Creates a message answering `interaction` (author: the bot; webhook_id: the application); dispatched unless ephemeral. */
function interactionMessage(context: RestContext, interaction: StoredInteraction, data: any, files: UploadedFile[], flags: number): FakeMessage {
  const channel = context.store.channels.get(interaction.channelId)!;
  const message = context.store.createMessage({
    channel,
    author: context.store.botUser,
    content: data?.content ?? '',
    embeds: data?.embeds,
    components: data?.components,
    flags,
    attachments: uploadedAttachments(context, channel.id, data, files),
    webhookId: context.store.applicationId,
    interaction,
  });
  if (!(flags & MessageFlags.Ephemeral)) context.dispatchMessage('MESSAGE_CREATE', message);
  return message;
}

function modalErrors(data: any): Record<string, unknown> | undefined {
  const errors: Record<string, unknown> = {};
  if (typeof data?.custom_id !== 'string' || data.custom_id.length === 0 || data.custom_id.length > 100) errors.custom_id = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  if (typeof data?.title !== 'string' || data.title.length === 0 || data.title.length > 45) errors.title = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.');
  const components: any[] = data?.components ?? [];
  if (components.length === 0 || components.length > 5) errors.components = fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  components.forEach((component, index) => {
    const label = component?.type === 18 ? component.label : component?.components?.[0]?.label;
    if (typeof label === 'string' && label.length > 45) {
      errors.components = { ...(errors.components as object), [index]: { label: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.') } };
    }
  });
  return Object.keys(errors).length ? errors : undefined;
}

function interactionCallback([interactionId, token]: string[], request: RestRequest, context: RestContext): RestResult {
  const interaction = interactionFor(context, token);
  if (!interaction || interaction.id !== interactionId) return unknown(10062);
  if (interaction.acknowledged) return discordError(400, 40060, 'Interaction has already been acknowledged.');
  if (Date.now() - interaction.createdAt > context.interactionDeadlineMs) return unknown(10062);
  const type = Number(request.body?.type);
  const data = request.body?.data;
  if (![4, 5, 6, 7, 9].includes(type) || (type === 9 && interaction.type === 5) || ((type === 6 || type === 7) && interaction.type === 2)) {
    return invalidForm({ type: fieldError('INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${request.body?.type} is not valid for interaction type ${interaction.type}`) });
  }
  if (type === 4) {
    const invalid = validateMessage(data, request.files, true);
    if (invalid) return invalid;
  }
  if (type === 9) {
    const errors = modalErrors(data);
    if (errors) return invalidForm({ data: errors });
    context.store.modals.set(data.custom_id, data.components);
  }
  interaction.acknowledged = true;
  interaction.responses.push({ kind: 'callback', type, data: data ?? {}, at: Date.now() });
  let message: FakeMessage | undefined;
  if (type === 4 || type === 5) {
    const flags = (Number(data?.flags ?? 0) & MessageFlags.Ephemeral) | (type === 5 ? MessageFlags.Loading : 0);
    message = interactionMessage(context, interaction, type === 4 ? data : {}, type === 4 ? request.files : [], flags);
    interaction.originalMessageId = message.id;
  }
  if (request.query.get('with_response') !== 'true') return noContent;
  return ok({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      ...(message
        ? { response_message_id: message.id, response_message_loading: type === 5, response_message_ephemeral: Boolean(message.flags & MessageFlags.Ephemeral) }
        : {}),
    },
    resource: { type, ...(message ? { message } : {}) },
  });
}

function webhookMessage(context: RestContext, interaction: StoredInteraction, messageId: string): FakeMessage | undefined {
  const id = messageId === '@original' ? interaction.originalMessageId : messageId;
  const message = id === undefined ? undefined : context.store.messages.get(id);
  return message && message.interaction_metadata?.id === interaction.id ? message : undefined;
}

function editWebhookMessage([applicationId, token, messageId]: string[], request: RestRequest, context: RestContext): RestResult {
  const interaction = interactionFor(context, token, applicationId);
  if (!interaction) return unknown(10015);
  const message = webhookMessage(context, interaction, messageId);
  if (!message) return unknown(10008);
  const invalid = validateMessage(request.body, request.files, false);
  if (invalid) return invalid;
  interaction.responses.push({ kind: 'edit', data: request.body ?? {}, messageId, at: Date.now() });
  message.flags &= ~MessageFlags.Loading;
  context.store.editMessage(message, request.body, uploadedAttachments(context, message.channel_id, request.body, request.files));
  if (!(message.flags & MessageFlags.Ephemeral)) context.dispatchMessage('MESSAGE_UPDATE', message);
  return ok(context.restView(message));
}

function getWebhookMessage([applicationId, token, messageId]: string[], _request: RestRequest, context: RestContext): RestResult {
  const interaction = interactionFor(context, token, applicationId);
  if (!interaction) return unknown(10015);
  const message = webhookMessage(context, interaction, messageId);
  return message ? ok(context.restView(message)) : unknown(10008);
}

function deleteWebhookMessage([applicationId, token, messageId]: string[], _request: RestRequest, context: RestContext): RestResult {
  const interaction = interactionFor(context, token, applicationId);
  if (!interaction) return unknown(10015);
  const message = webhookMessage(context, interaction, messageId);
  if (!message) return unknown(10008);
  interaction.responses.push({ kind: 'delete', data: {}, messageId, at: Date.now() });
  context.store.messages.delete(message.id);
  return noContent;
}

function followUp([applicationId, token]: string[], request: RestRequest, context: RestContext): RestResult {
  const interaction = interactionFor(context, token, applicationId);
  if (!interaction || !interaction.acknowledged) return unknown(10015);
  const invalid = validateMessage(request.body, request.files, true);
  if (invalid) return invalid;
  const message = interactionMessage(context, interaction, request.body, request.files, Number(request.body?.flags ?? 0) & MessageFlags.Ephemeral);
  interaction.responses.push({ kind: 'followup', data: request.body ?? {}, messageId: message.id, at: Date.now() });
  return request.query.get('wait') === 'true' ? ok(context.restView(message)) : noContent;
}

function guildMember([guildId, userId]: string[], _request: RestRequest, context: RestContext): RestResult {
  if (!context.store.guilds.has(guildId)) return unknown(10004);
  const user = context.store.users.get(userId);
  return user ? ok(context.store.memberOf(user, guildId, true)) : unknown(10007);
}

const ID = '(\\d+)';
const TOKEN = '([^/]+)';
const route = (method: string, path: string, handler: Handler, auth = true): Route => ({ method, pattern: new RegExp(`^${path}$`), auth, handler });

const ROUTES: Route[] = [
  route('GET', '/gateway/bot', (_p, _r, context) =>
    ok({ url: context.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } }),
  ),
  route('GET', '/gateway', (_p, _r, context) => ok({ url: context.gatewayUrl() }), false),
  route('GET', '/users/@me', (_p, _r, context) => ok({ ...userJson(context.store.botUser), verified: true, mfa_enabled: false })),
  route('POST', '/users/@me/channels', createDm),
  route('GET', `/users/${ID}`, ([userId], _r, context) => {
    const user = context.store.users.get(userId);
    return user ? ok(userJson(user)) : unknown(10013);
  }),
  route('GET', '/(?:oauth2/)?applications/@me', (_p, _r, context) =>
    ok({
      id: context.store.applicationId,
      name: context.store.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      flags: 0,
      verify_key: 'fake-verify-key',
      team: null,
      owner: userJson({ id: '1', username: 'owner' }),
      bot: userJson(context.store.botUser),
    }),
  ),
  route('GET', `/applications/${ID}/commands`, getCommands),
  route('PUT', `/applications/${ID}/commands`, putCommands),
  route('POST', `/applications/${ID}/commands`, postCommand),
  route('DELETE', `/applications/${ID}/commands/${ID}`, deleteCommand),
  route('GET', `/applications/${ID}/guilds/${ID}/commands`, getCommands),
  route('PUT', `/applications/${ID}/guilds/${ID}/commands`, putCommands),
  route('POST', `/applications/${ID}/guilds/${ID}/commands`, postCommand),
  route('GET', `/channels/${ID}`, ([channelId], _r, context) => {
    const channel = channelOr404(context, channelId);
    return isResult(channel) ? channel : ok(channelJson(channel, true));
  }),
  route('GET', `/channels/${ID}/messages`, listChannelMessages),
  route('POST', `/channels/${ID}/messages`, createChannelMessage),
  route('GET', `/channels/${ID}/messages/${ID}`, ([channelId, messageId], _r, context) => {
    const message = context.store.message(channelId, messageId);
    return message ? ok(context.restView(message)) : unknown(10008);
  }),
  route('PATCH', `/channels/${ID}/messages/${ID}`, editChannelMessage),
  route('DELETE', `/channels/${ID}/messages/${ID}`, deleteChannelMessage),
  route('POST', `/channels/${ID}/typing`, ([channelId], _r, context) => {
    const channel = channelOr404(context, channelId);
    if (isResult(channel)) return channel;
    return context.store.deniedSend.has(channelId) ? discordError(403, 50013, 'Missing Permissions') : noContent;
  }),
  route('PUT', `/channels/${ID}/messages/${ID}/reactions/${TOKEN}/@me`, ([channelId, messageId], _r, context) =>
    context.store.message(channelId, messageId) ? noContent : unknown(10008),
  ),
  route('DELETE', `/channels/${ID}/messages/${ID}/reactions/${TOKEN}/@me`, ([channelId, messageId], _r, context) =>
    context.store.message(channelId, messageId) ? noContent : unknown(10008),
  ),
  route('GET', `/guilds/${ID}`, ([guildId], _r, context) => {
    const guild = context.store.guildJson(guildId);
    return guild ? ok(guild) : unknown(10004);
  }),
  route('GET', `/guilds/${ID}/channels`, ([guildId], _r, context) => {
    const guild = context.store.guilds.get(guildId);
    return guild ? ok(guild.channelIds.map((id) => channelJson(context.store.channels.get(id)!, true))) : unknown(10004);
  }),
  route('GET', `/guilds/${ID}/roles`, ([guildId], _r, context) => {
    const roles = context.store.rolesJson(guildId);
    return roles ? ok(roles) : unknown(10004);
  }),
  route('GET', `/guilds/${ID}/members/${ID}`, guildMember),
  route('POST', `/interactions/${ID}/${TOKEN}/callback`, interactionCallback, false),
  route('POST', `/webhooks/${ID}/${TOKEN}`, followUp, false),
  route('GET', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, getWebhookMessage, false),
  route('PATCH', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, editWebhookMessage, false),
  route('DELETE', `/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)`, deleteWebhookMessage, false),
];

/** The route for `method` + `path`, with its captured parameters; undefined when the fake has none (404). */
export function findRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { route: candidate, params: match.slice(1) };
  }
  return undefined;
}
