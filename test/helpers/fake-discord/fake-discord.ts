/**
 * A local fake Discord (REST v10 + gateway + CDN on one 127.0.0.1 port) that the real discord.js 14 client talks
 * to: `new Client({ intents, rest: { api: fake.apiUrl } })`, then `client.login(fake.token)`. Tests drive it as
 * users would (postMessage, slashCommand, messageCommand, modalSubmit), inject faults (rateLimitNext, dropGateway,
 * denySend) and read what the bot did (requests, botMessages, interactionResponses).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ALL_PERMISSIONS,
  Intents,
  Permissions,
  attachmentJson,
  channelJson,
  mentionedIds,
  snowflake,
  withoutMessageContent,
  type FakeGuildInput,
  type FakeMessage,
  type FakeUser,
  type StoredChannel,
} from './discord-objects.ts';
import { FakeCdn, type CdnRequest } from './fake-cdn.ts';
import { FakeGateway, type GatewayStats } from './fake-gateway.ts';
import { discordError, findRoute, type RestContext, type RestResult } from './fake-rest.ts';
import { FakeStore, type InteractionResponse, type StoredInteraction } from './fake-store.ts';
import { interactionPayload, modalSubmitComponents, placeAttachmentOption } from './interaction-payloads.ts';
import { parseBody, readRaw } from './request-body.ts';

export type { FakeMessage, FakeUser, FakeGuildInput } from './discord-objects.ts';
export { Intents } from './discord-objects.ts';
export type { InteractionResponse } from './fake-store.ts';
export type { CdnRequest } from './fake-cdn.ts';

export interface FakeAttachmentInput {
  /** A 'SPOILER_' prefix marks a spoilered attachment, as Discord does. */
  filename: string;
  /** Served by the fake CDN. */
  bytes: Uint8Array;
  /** What Discord reports (may lie about the bytes); omit = none reported. */
  contentType?: string;
  /** Existing alt text. */
  description?: string;
  width?: number;
  height?: number;
  /** Default bytes.length. */
  reportedSize?: number;
  /** Discord flags animated images (IS_ANIMATED). */
  animated?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Without /api/v10, e.g. /channels/1/messages. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or for multipart the parsed payload_json plus `files: {name, size, contentType}[]`. */
  body: any;
  at: number;
  /** The status the fake answered. */
  status?: number;
}

export interface FakeDiscordOptions {
  /** Default 'fake-bot-token'; REST calls with another Authorization get 401. */
  token?: string;
  /** Default { id: '1000', username: 'glance', bot: true }. */
  botUser?: FakeUser;
  /** Default '2000'. */
  applicationId?: string;
  /** Default one guild '3000' with text channels '4001', '4002', '4003'. */
  guilds?: FakeGuildInput[];
  /** Default 41250. */
  heartbeatIntervalMs?: number;
  /** How long the initial interaction response may take (default 3000, as Discord); a later callback gets 404 10062 Unknown interaction. */
  interactionDeadlineMs?: number;
  /**
   * Privileged intents not enabled for the app in the Developer Portal (e.g. `Intents.MessageContent`): an IDENTIFY
   * asking for one is closed with 4014 Disallowed intent(s), as Discord does. Default none.
   */
  disallowedIntents?: number;
  /** READY without GUILD_CREATE (the guilds stay unavailable; discord.js waits up to 15 s for them): for start-up deadlines. Default false. */
  withholdGuilds?: boolean;
}

interface InteractionInput {
  channelId: string;
  guildId?: string | null;
  user: FakeUser;
  memberPermissions?: bigint;
}

interface RateLimitRule {
  method: string;
  path: RegExp;
  retryAfterSeconds: number;
  remaining: number;
}

interface RequestWaiter {
  match: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
}

const DEFAULT_GUILDS: FakeGuildInput[] = [{ id: '3000', name: 'glance test guild', channels: [{ id: '4001', name: 'general' }, { id: '4002', name: 'photos' }, { id: '4003', name: 'random' }] }];

export class FakeDiscord {
  readonly apiUrl: string;
  readonly cdnHost: string;
  readonly token: string;
  readonly botUser: FakeUser;
  readonly applicationId: string;
  /** The first guild's id. */
  readonly guildId: string;
  readonly requests: RecordedRequest[] = [];
  readonly store: FakeStore;
  readonly cdn: FakeCdn;
  readonly gateway: FakeGateway;
  private readonly rateLimits: RateLimitRule[] = [];
  private waiters: RequestWaiter[] = [];
  private readonly restContext: RestContext;

  private constructor(
    private readonly server: Server,
    options: FakeDiscordOptions,
  ) {
    const port = (server.address() as AddressInfo).port;
    this.apiUrl = `http://127.0.0.1:${port}/api`;
    this.cdnHost = `127.0.0.1:${port}`;
    this.token = options.token ?? 'fake-bot-token';
    this.botUser = options.botUser ?? { id: '1000', username: 'glance', bot: true };
    this.applicationId = options.applicationId ?? '2000';
    const guilds = options.guilds ?? DEFAULT_GUILDS;
    if (guilds.length === 0) throw new Error('fake Discord: give at least one guild');
    this.guildId = guilds[0].id;
    this.store = new FakeStore(this.botUser, this.applicationId, guilds);
    this.cdn = new FakeCdn(() => this.cdnHost);
    const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
    this.gateway = new FakeGateway({
      token: this.token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      resumeUrl: () => gatewayUrl,
      readyPayload: (sessionId) => this.store.readyPayload(sessionId, gatewayUrl),
      guildCreatePayloads: () => this.store.guildCreatePayloads(),
      disallowedIntents: options.disallowedIntents,
      withholdGuilds: options.withholdGuilds,
    });
    this.restContext = {
      store: this.store,
      cdn: this.cdn,
      gatewayUrl: () => gatewayUrl,
      dispatchMessage: (t, message) => this.dispatchMessage(t, message),
      dispatch: (t, d) => this.dispatchToAll(t, d),
      restView: (message) => this.restView(message),
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
    };
    server.on('request', (request, response) => void this.onRequest(request, response));
    server.on('upgrade', (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://fake').pathname === '/gateway') this.gateway.handleUpgrade(request, socket, head);
      else socket.destroy();
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeDiscord(server, options);
  }

  /** CDN downloads (attachment bytes) the fake served or refused. */
  get cdnRequests(): CdnRequest[] {
    return this.cdn.requests;
  }

  /**
   * A user posts a message: stored, then dispatched as MESSAGE_CREATE to every identified session. Sessions that
   * identified without MESSAGE_CONTENT get content, attachments, embeds and components blanked unless the message
   * is a DM, mentions the bot or is the bot's own. `<@id>` in content mentions that user; mentionBot prepends the
   * bot's mention. replyTo makes it a reply (type 19) that mentions the replied-to author unless replyMention is false.
   */
  async postMessage(input: {
    channelId: string;
    guildId?: string | null;
    author: FakeUser;
    content?: string;
    attachments?: FakeAttachmentInput[];
    replyTo?: string;
    mentionBot?: boolean;
    replyMention?: boolean;
  }): Promise<FakeMessage> {
    this.store.rememberUser(input.author);
    const channel = this.store.resolveChannel(input.channelId, input.guildId, input.author);
    let content = input.content ?? '';
    if (input.mentionBot && !mentionedIds(content).includes(this.botUser.id)) content = content ? `<@${this.botUser.id}> ${content}` : `<@${this.botUser.id}>`;
    let replyTo: FakeMessage | undefined;
    if (input.replyTo !== undefined) {
      replyTo = this.store.message(channel.id, input.replyTo);
      if (!replyTo) throw new Error(`fake Discord: no message ${input.replyTo} in channel ${channel.id} to reply to`);
    }
    const attachments = (input.attachments ?? []).map((attachment) => {
      const id = snowflake();
      const url = this.cdn.store('attachments', channel.id, id, attachment.filename, attachment.bytes, attachment.contentType);
      return attachmentJson({ ...attachment, id, url, size: attachment.reportedSize ?? attachment.bytes.length });
    });
    const message = this.store.createMessage({ channel, author: input.author, content, attachments, replyTo, mentionRepliedUser: input.replyMention ?? true });
    this.dispatchMessage('MESSAGE_CREATE', message);
    return message;
  }

  /**
   * A user (or a moderator) deletes a message: removed from the store, then MESSAGE_DELETE (id, channel_id, guild_id:
   * no content, as Discord sends it) to every session with GuildMessages (guild) or DirectMessages (DM).
   */
  deleteMessage(channelId: string, messageId: string): void {
    const message = this.removeMessage(channelId, messageId);
    this.dispatchDeletion('MESSAGE_DELETE', message.guild_id, { id: messageId, channel_id: channelId });
  }

  /**
   * A moderator (or a bot) deletes several messages of a guild channel at once: removed from the store, then one
   * MESSAGE_DELETE_BULK (ids, channel_id, guild_id) to every session with GuildMessages, as Discord sends it.
   */
  bulkDeleteMessages(channelId: string, messageIds: string[]): void {
    const messages = messageIds.map((id) => this.removeMessage(channelId, id));
    const guildId = messages[0]?.guild_id;
    if (guildId === undefined) throw new Error('fake Discord: bulk deletes are for guild channels');
    this.dispatchDeletion('MESSAGE_DELETE_BULK', guildId, { ids: messageIds, channel_id: channelId });
  }

  /**
   * A user starts a public thread (type 11) in the guild text channel `parentId`: stored, then THREAD_CREATE
   * (newly_created, with guild_id and parent_id) to every session with the Guilds intent. Sessions that identify
   * later get it in GUILD_CREATE's `threads`. Post in it with `postMessage({ channelId: thread.id })`: its messages
   * carry the thread's id as channel_id, as on Discord. Returns the thread's JSON.
   */
  createThread(input: { parentId: string; name?: string; owner: FakeUser }): Record<string, unknown> {
    this.store.rememberUser(input.owner);
    const thread = this.store.createThread({ id: snowflake(), parentId: input.parentId, name: input.name, ownerId: input.owner.id });
    const json = channelJson(thread, true);
    for (const session of this.gateway.liveSessions()) {
      if (session.intents & Intents.Guilds) this.gateway.dispatch(session, 'THREAD_CREATE', { ...structuredClone(json), newly_created: true });
    }
    return json;
  }

  /**
   * A slash command (interaction type 2, CHAT_INPUT). Attachments are uploaded as Discord does (ephemeral CDN URLs in
   * data.resolved.attachments) and the option of that name gets the attachment's id as its value (added as a type 11
   * option if `options` does not have it; inside the first subcommand when options start with one).
   */
  async slashCommand(
    input: InteractionInput & {
      name: string;
      options?: { name: string; type: number; value?: string | number | boolean; options?: any[] }[];
      attachments?: Record<string, FakeAttachmentInput>;
    },
  ): Promise<{ id: string; token: string }> {
    const options: any[] = structuredClone(input.options ?? []);
    const resolvedAttachments: Record<string, unknown> = {};
    const commandId = this.registeredCommandId(input.name, 1, input.guildId);
    for (const [optionName, attachment] of Object.entries(input.attachments ?? {})) {
      const id = snowflake();
      const url = this.cdn.store('ephemeral-attachments', this.applicationId, id, attachment.filename, attachment.bytes, attachment.contentType);
      resolvedAttachments[id] = attachmentJson({ ...attachment, id, url, size: attachment.reportedSize ?? attachment.bytes.length, ephemeral: true });
      placeAttachmentOption(options, optionName, id);
    }
    const data = {
      id: commandId,
      name: input.name,
      type: 1,
      ...(options.length ? { options } : {}),
      ...(Object.keys(resolvedAttachments).length ? { resolved: { attachments: resolvedAttachments } } : {}),
    };
    return this.createInteraction(2, data, input, input.name);
  }

  /** A message context-menu command (type 2, data.type 3) on a stored message: data.target_id + data.resolved.messages (full content, as Discord gives it). */
  async messageCommand(input: InteractionInput & { name: string; targetMessageId: string }): Promise<{ id: string; token: string }> {
    this.store.rememberUser(input.user);
    const channel = this.store.resolveChannel(input.channelId, input.guildId, input.user);
    const target = this.store.message(channel.id, input.targetMessageId);
    if (!target) throw new Error(`fake Discord: no message ${input.targetMessageId} in channel ${channel.id}`);
    const data = {
      id: this.registeredCommandId(input.name, 3, input.guildId),
      name: input.name,
      type: 3,
      target_id: target.id,
      resolved: { messages: { [target.id]: this.withFreshUrls(target) } },
    };
    return this.createInteraction(2, data, input, input.name);
  }

  /**
   * A modal submit (interaction type 5): `values` by text-input custom_id. The components mirror the layout of the
   * last modal the bot showed with this custom_id (action rows or labels); every value must name one of its inputs.
   */
  async modalSubmit(input: InteractionInput & { customId: string; values: Record<string, string> }): Promise<{ id: string; token: string }> {
    const components = modalSubmitComponents(input.customId, this.store.modals.get(input.customId), input.values);
    return this.createInteraction(5, { custom_id: input.customId, components }, input);
  }

  /** The responses, edits, follow-ups (and deletes) for one interaction, in order. */
  interactionResponses(token: string): InteractionResponse[] {
    const interaction = this.store.interactions.get(token);
    if (!interaction) throw new Error('fake Discord: no interaction with that token (use the token slashCommand/messageCommand/modalSubmit resolved with)');
    return interaction.responses;
  }

  /** The message an interaction's response created (after its edits), if any. */
  interactionOriginal(token: string): FakeMessage | undefined {
    const id = this.store.interactions.get(token)?.originalMessageId;
    return id === undefined ? undefined : this.store.messages.get(id);
  }

  /** Messages the bot created with POST /channels/:id/messages in `channelId`, after edits (deleted ones left out). */
  botMessages(channelId: string): FakeMessage[] {
    return (this.store.botMessageIds.get(channelId) ?? []).map((id) => this.store.messages.get(id)).filter((message): message is FakeMessage => message !== undefined);
  }

  /** Commands the bot registered (PUT/POST /applications/:app/commands), globally or for `guildId`. */
  registeredCommands(guildId?: string): any[] {
    return this.store.commands.get(guildId ?? 'global') ?? [];
  }

  /** Resolves with the first recorded request (past or future) matching, or rejects after timeoutMs listing the requests seen. */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs = 10_000): Promise<RecordedRequest> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: RequestWaiter = {
        match,
        resolve: (request) => {
          clearTimeout(timer);
          resolve(request);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        const list = this.requests.map((request) => `  ${request.method} ${request.path} → ${request.status ?? '…'}`).join('\n') || '  (none)';
        reject(new Error(`fake Discord: no matching request within ${timeoutMs} ms; requests seen:\n${list}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next `count` requests matching method + path answer 429 with retry_after (and Retry-After / X-RateLimit-* headers as Discord sends them). */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds: number, count = 1): void {
    this.rateLimits.push({ method: method.toUpperCase(), path, retryAfterSeconds, remaining: count });
  }

  /** Makes every attachment URL handed out so far answer 404, as Discord's CDN does once a signed URL has expired. */
  expireCdnUrls(): void {
    this.cdn.expireAll();
  }

  /** Closes the gateway connection(s) with `code` (default 4000, resumable; 1006 drops without a close frame). */
  dropGateway(code = 4000): void {
    this.gateway.drop(code);
  }

  /** Sends op 7 RECONNECT: discord.js closes the connection itself and resumes on a new one. */
  requestReconnect(): void {
    this.gateway.requestReconnect();
  }

  gatewayStats(): GatewayStats {
    return this.gateway.gatewayStats();
  }

  /** Resolves once a connection is ready: identified with READY + GUILD_CREATE sent, or resumed. */
  waitForReady(timeoutMs = 10_000): Promise<void> {
    return this.gateway.waitForReady(timeoutMs);
  }

  /**
   * The bot may no longer post in `channelId`: POST /channels/:id/messages and typing answer 403 50013. In a guild
   * channel the bot also gets a member overwrite denying Send Messages (sent as CHANNEL_UPDATE), so discord.js
   * permission checks agree, and interactions there carry app_permissions without it.
   */
  denySend(channelId: string): void {
    const channel = this.store.channels.get(channelId);
    if (!channel) throw new Error(`fake Discord: no channel ${channelId}`);
    this.store.deniedSend.add(channelId);
    if (channel.guildId === undefined) return;
    channel.overwrites = channel.overwrites.filter((overwrite) => overwrite.id !== this.botUser.id);
    channel.overwrites.push({ id: this.botUser.id, type: 1, allow: '0', deny: (Permissions.SendMessages | Permissions.SendMessagesInThreads).toString() });
    for (const session of this.gateway.liveSessions()) {
      if (session.intents & Intents.Guilds) this.gateway.dispatch(session, 'CHANNEL_UPDATE', channelJson(channel, true));
    }
  }

  /**
   * The bot loses `permissions` (Permissions.* bits) in the guild channel `channelId`: added to the deny of its member
   * overwrite and sent as CHANNEL_UPDATE, so discord.js permission checks agree. The REST routes enforce what they
   * check (a reply's message_reference without ReadMessageHistory → 403 50013; see denySend for Send Messages).
   */
  denyBotPermissions(channelId: string, permissions: bigint): void {
    const channel = this.store.channels.get(channelId);
    if (!channel || channel.guildId === undefined) throw new Error(`fake Discord: no guild channel ${channelId}`);
    const previous = channel.overwrites.find((overwrite) => overwrite.id === this.botUser.id);
    const deny = (previous ? BigInt(previous.deny) : 0n) | permissions;
    const allow = (previous ? BigInt(previous.allow) : 0n) & ~permissions;
    channel.overwrites = channel.overwrites.filter((overwrite) => overwrite !== previous);
    channel.overwrites.push({ id: this.botUser.id, type: 1, allow: allow.toString(), deny: deny.toString() });
    for (const session of this.gateway.liveSessions()) {
      if (session.intents & Intents.Guilds) this.gateway.dispatch(session, 'CHANNEL_UPDATE', channelJson(channel, true));
    }
  }

  async close(): Promise<void> {
    this.waiters = [];
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private registeredCommandId(name: string, type: number, guildId: string | null | undefined): string {
    const scopes = guildId === null ? ['global'] : [guildId ?? this.guildId, 'global'];
    for (const scope of scopes) {
      const command = this.store.commands.get(scope)?.find((candidate) => candidate.name === name && candidate.type === type);
      if (command) return command.id;
    }
    return snowflake();
  }

  private createInteraction(type: number, data: Record<string, unknown>, input: InteractionInput, commandName?: string): { id: string; token: string } {
    this.store.rememberUser(input.user);
    const channel = this.store.resolveChannel(input.channelId, input.guildId, input.user);
    const id = snowflake();
    const token = `fake.${Buffer.from(`interaction:${id}`).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    const stored: StoredInteraction = { id, token, type, channelId: channel.id, guildId: channel.guildId, user: input.user, acknowledged: false, createdAt: Date.now(), responses: [], commandName };
    this.store.interactions.set(token, stored);
    const guildId = channel.guildId;
    const payload = interactionPayload({
      id,
      token,
      type,
      data,
      applicationId: this.applicationId,
      channel,
      user: input.user,
      member: guildId === undefined ? undefined : this.store.memberOf(input.user, guildId, true, input.memberPermissions ?? ALL_PERMISSIONS),
      appPermissions: this.store.botPermissions(channel),
    });
    for (const session of this.gateway.liveSessions()) this.gateway.dispatch(session, 'INTERACTION_CREATE', structuredClone(payload));
    return { id, token };
  }

  /** MESSAGE_CREATE/UPDATE to every live session that asked for it (GuildMessages / DirectMessages), blanked without MESSAGE_CONTENT. */
  private dispatchMessage(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: FakeMessage): void {
    const channel = this.store.channels.get(message.channel_id) as StoredChannel;
    const needed = message.guild_id === undefined ? Intents.DirectMessages : Intents.GuildMessages;
    for (const session of this.gateway.liveSessions()) {
      if (!(session.intents & needed)) continue;
      const view = session.intents & Intents.MessageContent ? message : withoutMessageContent(message, this.botUser.id);
      this.gateway.dispatch(session, t, { ...this.withFreshUrls(view), channel_type: channel.type });
    }
  }

  private removeMessage(channelId: string, messageId: string): FakeMessage {
    const message = this.store.message(channelId, messageId);
    if (!message) throw new Error(`fake Discord: no message ${messageId} in channel ${channelId} to delete`);
    this.store.messages.delete(messageId);
    const ids = this.store.botMessageIds.get(channelId);
    if (ids) this.store.botMessageIds.set(channelId, ids.filter((id) => id !== messageId));
    return message;
  }

  private dispatchDeletion(t: 'MESSAGE_DELETE' | 'MESSAGE_DELETE_BULK', guildId: string | undefined, d: Record<string, unknown>): void {
    const needed = guildId === undefined ? Intents.DirectMessages : Intents.GuildMessages;
    for (const session of this.gateway.liveSessions()) {
      if (session.intents & needed) this.gateway.dispatch(session, t, { ...structuredClone(d), ...(guildId === undefined ? {} : { guild_id: guildId }) });
    }
  }

  private dispatchToAll(t: string, d: unknown): void {
    for (const session of this.gateway.liveSessions()) this.gateway.dispatch(session, t, structuredClone(d));
  }

  /**
   * REST shows messages as the last IDENTIFY's intents allow (the fake has no developer portal switch), with
   * attachment links that work (expired ones signed afresh, as Discord does on every read).
   */
  private restView(message: FakeMessage): FakeMessage {
    const intents = this.gateway.gatewayStats().intents;
    return this.withFreshUrls(intents === undefined || intents & Intents.MessageContent ? message : withoutMessageContent(message, this.botUser.id));
  }

  /** A copy of `message` (and of the message it replies to) whose attachment URLs are signed afresh where they expired. */
  private withFreshUrls(message: FakeMessage): FakeMessage {
    const copy = structuredClone(message);
    const refresh = (target: FakeMessage) => {
      for (const attachment of target.attachments) {
        attachment.url = this.cdn.fresh(attachment.url);
        attachment.proxy_url = attachment.url;
      }
    };
    refresh(copy);
    if (copy.referenced_message) refresh(copy.referenced_message);
    return copy;
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (this.cdn.handle(request, response, url.pathname, url.searchParams)) return;
    let raw: Buffer;
    try {
      raw = await readRaw(request);
    } catch {
      response.destroy(); // the client went away mid-body
      return;
    }
    const method = request.method ?? 'GET';
    const parsed = parseBody(raw, request.headers['content-type']);
    const path = safeDecode(url.pathname).replace(/^\/api\/v10(?=\/)/, '');
    const recorded: RecordedRequest = { method, path, query: url.searchParams, headers: request.headers, body: parsed.body, at: Date.now() };
    this.requests.push(recorded);
    let result: RestResult;
    try {
      result = this.answer(recorded, url.pathname, parsed);
    } catch (error) {
      // A fault in the fake itself: a 500 that names it (discord.js retries 500s, then throws an HTTPError).
      result = { status: 500, body: { message: `fake Discord failed on ${method} ${path}: ${String((error as Error)?.stack ?? error)}`, code: 0 } };
    }
    recorded.status = result.status;
    this.send(response, result);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (waiter.match(recorded)) waiter.resolve(recorded);
      else this.waiters.push(waiter);
    }
  }

  private answer(recorded: RecordedRequest, fullPath: string, parsed: ReturnType<typeof parseBody>): RestResult {
    if (!fullPath.startsWith('/api/v10/')) return discordError(404, 0, '404: Not Found');
    const found = findRoute(recorded.method, recorded.path);
    if (!found) return discordError(404, 0, '404: Not Found');
    if (found.route.auth && recorded.headers.authorization !== `Bot ${this.token}`) return discordError(401, 0, '401: Unauthorized');
    const limited = this.rateLimits.find((rule) => rule.remaining > 0 && rule.method === recorded.method && rule.path.test(recorded.path));
    if (limited) {
      limited.remaining--;
      return rateLimited(limited, recorded.path);
    }
    if (parsed.error) return discordError(400, 50109, `The request body contains invalid JSON (${parsed.error}).`);
    return found.route.handler(found.params, { method: recorded.method, path: recorded.path, query: recorded.query, body: parsed.body, files: parsed.files }, this.restContext);
  }

  private send(response: ServerResponse, result: RestResult): void {
    const headers: Record<string, string> = { ...result.headers };
    if (result.body === undefined) {
      response.writeHead(result.status, headers);
      response.end();
      return;
    }
    const text = JSON.stringify(result.body);
    response.writeHead(result.status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Discord's 429 for a per-route (user-scoped, not global) limit. */
function rateLimited(rule: RateLimitRule, path: string): RestResult {
  const seconds = rule.retryAfterSeconds;
  return {
    status: 429,
    headers: {
      'retry-after': String(Math.ceil(seconds)),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': (Date.now() / 1000 + seconds).toFixed(3),
      'x-ratelimit-reset-after': seconds.toFixed(3),
      'x-ratelimit-bucket': Buffer.from(`${rule.method} ${path}`).toString('hex').slice(0, 32),
      'x-ratelimit-scope': 'user',
    },
    body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
  };
}
