/**
 * A local fake Slack on one 127.0.0.1 port that the real @slack/bolt App talks to: the Web API (`apiUrl`), Socket
 * Mode (apps.connections.open → a local WebSocket), the file host serving `url_private` with Slack's authorization
 * rules (`fileHost`), command/shortcut response URLs, and signed HTTP delivery of events, commands and interactions
 * to an app's `/slack/events`. Tests act as Slack users (messageEvent, mentionEvent, slashCommand, messageShortcut,
 * postEvent / sendSocket) and read what the bot did (calls, botMessages, ephemerals).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackStore } from './fake-slack-store.ts';
import { FakeSocketMode, type EnvelopeType, type SocketAck } from './fake-socket-mode.ts';
import { callWebApi } from './fake-web-api.ts';
import {
  filetypeOf,
  mimetypeOf,
  prettyTypeOf,
  slackId,
  type FakeSlackFile,
  type SlackIdentity,
  type StoredChannel,
  type StoredFile,
  type StoredMessage,
} from './slack-objects.ts';
import {
  eventCallback,
  mentionEventJson,
  messageEventJson,
  messageShortcutPayload,
  slashCommandFields,
} from './slack-payloads.ts';
import { callerToken, readBody, webApiArgs } from './slack-request.ts';
import { signingHeaders } from './slack-signing.ts';

export type { FakeSlackFile } from './slack-objects.ts';
export type { SocketAck } from './fake-socket-mode.ts';
export type { EphemeralMessage } from './fake-slack-store.ts';

export interface RecordedCall {
  /** 'chat.postMessage'; 'response_url' for POSTs to a command's or shortcut's response_url. */
  method: string;
  /** The parsed form or JSON body (JSON-valued form fields such as blocks parsed). */
  args: Record<string, any>;
  /** From `Authorization: Bearer …` or the token field. */
  token: string | undefined;
  at: number;
  /** What the fake answered. */
  response?: Record<string, any>;
}

export interface FileRequest {
  path: string;
  authorization: string | undefined;
  /** 200 with the bytes, or 302 to the login page. */
  status: number;
}

export interface FakeSlackOptions {
  /** Default 'xoxb-fake'; Web API calls with another token answer {ok:false,error:'invalid_auth'}. */
  botToken?: string;
  /** Default 'xapp-fake' (apps.connections.open must be called with it). */
  appToken?: string;
  /** Default 'fake-signing-secret'. */
  signingSecret?: string;
  /** Default 'T0001'. */
  teamId?: string;
  /** Default 'U0BOT'. */
  botUserId?: string;
  /** Default 'B0BOT'. */
  botId?: string;
  /** Default 'A0APP'. */
  appId?: string;
  /** Default C0001 'general', C0002 'random', C0003 'photos', the bot a member of each. */
  channels?: { id: string; name: string; isMember?: boolean }[];
}

export interface AddFileInput {
  name: string;
  bytes: Uint8Array;
  /** What Slack reports (may lie about the bytes); default from the name's extension. */
  mimetype?: string;
  altTxt?: string;
  /** Even the bot token gets the 302 + HTML login page (as when the app lacks files:read). */
  loginPage?: boolean;
  /** The uploader; default 'U0ALICE'. */
  user?: string;
}

export interface MessageInput {
  channel: string;
  user: string;
  text?: string;
  files?: FakeSlackFile[];
  ts?: string;
  threadTs?: string;
}

export interface EventInput extends MessageInput {
  eventId?: string;
  /** The event carries files as `{id, file_access: 'check_file_info'}` only (look them up with files.info). */
  idOnlyFiles?: boolean;
}

export interface DeliveryOptions {
  /** Signed with a wrong secret. */
  badSignature?: boolean;
  /** Moves the signed timestamp (e.g. -600 = stale). */
  timestampOffsetSec?: number;
}

export interface Delivery {
  status: number;
  body: string;
}

type Injected = { kind: 'error'; error: string } | { kind: 'rate-limit'; retryAfterSec: number };

const DEFAULT_CHANNELS = [
  { id: 'C0001', name: 'general' },
  { id: 'C0002', name: 'random' },
  { id: 'C0003', name: 'photos' },
];

const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Slack</title></head><body><h1>Sign in to Fake Workspace</h1><form action="/signin" method="post"><input name="email"><input type="password" name="password"></form></body></html>';

const INTERACTIVE_TYPES = new Set(['message_action', 'shortcut', 'block_actions', 'view_submission', 'view_closed', 'block_suggestion', 'interactive_message', 'dialog_submission']);

export class FakeSlack {
  readonly apiUrl: string;
  readonly fileHost: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly calls: RecordedCall[] = [];
  readonly fileRequests: FileRequest[] = [];
  private readonly identity: SlackIdentity;
  private readonly store: SlackStore;
  private readonly socketMode: FakeSocketMode;
  private readonly injected = new Map<string, Injected[]>();
  private readonly callWaiters = new Set<(call: RecordedCall) => void>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    port: number,
    identity: SlackIdentity,
    channels: { id: string; name: string; isMember?: boolean }[],
  ) {
    this.identity = identity;
    this.origin = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.origin}/api/`;
    this.fileHost = `127.0.0.1:${port}`;
    this.botToken = identity.botToken;
    this.appToken = identity.appToken;
    this.signingSecret = identity.signingSecret;
    this.teamId = identity.teamId;
    this.botUserId = identity.botUserId;
    this.botId = identity.botId;
    this.appId = identity.appId;
    this.store = new SlackStore(identity);
    for (const channel of channels) {
      const stored = this.store.ensureChannel(channel.id, channel.id.startsWith('D'));
      stored.name = channel.name;
      stored.isMember = channel.isMember ?? true;
    }
    this.socketMode = new FakeSocketMode(identity.appId, () => this.origin);
    server.on('request', (request, response) => {
      this.route(request, response).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`fake Slack fault: ${message}\n`);
      });
    });
    server.on('upgrade', (request, socket, head) => {
      if (!this.socketMode.handleUpgrade(request, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const identity: SlackIdentity = {
      botToken: options.botToken ?? 'xoxb-fake',
      appToken: options.appToken ?? 'xapp-fake',
      signingSecret: options.signingSecret ?? 'fake-signing-secret',
      verificationToken: 'fake-verification-token',
      teamId: options.teamId ?? 'T0001',
      teamDomain: 'fake-workspace',
      botUserId: options.botUserId ?? 'U0BOT',
      botId: options.botId ?? 'B0BOT',
      appId: options.appId ?? 'A0APP',
    };
    return new FakeSlack(server, (server.address() as AddressInfo).port, identity, options.channels ?? DEFAULT_CHANNELS);
  }

  // ---- the workspace -------------------------------------------------------------------------------------------

  /** Registers a file served at url_private / url_private_download (and thumbnails for images); files.info answers it by id. */
  addFile(input: AddFileInput): FakeSlackFile {
    const id = slackId('F');
    const filetype = filetypeOf(input.name);
    const mimetype = input.mimetype ?? mimetypeOf(filetype);
    const user = input.user ?? 'U0ALICE';
    const name = encodeURIComponent(input.name);
    const now = Math.floor(Date.now() / 1000);
    const file: FakeSlackFile = {
      id,
      created: now,
      timestamp: now,
      name: input.name,
      title: input.name,
      mimetype,
      filetype,
      pretty_type: prettyTypeOf(filetype),
      user,
      user_team: this.teamId,
      editable: false,
      size: input.bytes.length,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${this.origin}/files-pri/${this.teamId}-${id}/${name}`,
      url_private_download: `${this.origin}/files-pri/${this.teamId}-${id}/download/${name}`,
      media_display_type: 'unknown',
      permalink: `https://${this.identity.teamDomain}.slack.com/files/${user}/${id}/${name}`,
      permalink_public: `https://slack-files.com/${this.teamId}-${id}-${slackId('', 10).toLowerCase()}`,
      has_rich_preview: false,
      file_access: 'visible',
      ...(input.altTxt !== undefined ? { alt_txt: input.altTxt } : {}),
    };
    const stored: StoredFile = { file, bytes: Buffer.from(input.bytes), loginPage: input.loginPage ?? false };
    const paths = [file.url_private, file.url_private_download];
    if (mimetype.startsWith('image/')) {
      const base = input.name.replace(/\.[^.]*$/, '');
      const extension = /\.([^.]+)$/.exec(input.name)?.[1] ?? filetype;
      for (const size of [64, 80, 360, 480, 720, 1024] as const) {
        const url = `${this.origin}/files-tmb/${this.teamId}-${id}-thumb/${encodeURIComponent(`${base}_${size}.${extension}`)}`;
        file[`thumb_${size}`] = url;
        paths.push(url);
      }
    }
    this.store.filesById.set(id, stored);
    for (const url of paths) this.store.filesByPath.set(new URL(url).pathname, stored);
    return file;
  }

  /** Stores a message in the channel's history without delivering an event. */
  storeMessage(input: MessageInput): { ts: string } {
    const message = this.store.addMessage(this.messageFields(input, this.store.ensureChannel(input.channel)));
    return { ts: message.ts };
  }

  /** The Events API body of a `message` event (subtype file_share with files); the message is stored too. */
  messageEvent(input: EventInput & { channelType?: 'channel' | 'im' }): any {
    const channel = this.store.ensureChannel(input.channel, input.channelType === 'im' || input.channel.startsWith('D'), input.user);
    const message = this.store.addMessage(this.messageFields(input, channel));
    return this.eventBody(message, 'message', input);
  }

  /** The Events API body of an `app_mention` event ('<@U0BOT> ' is prefixed unless the text mentions the bot); the message is stored too. */
  mentionEvent(input: EventInput & { text: string }): any {
    const mention = `<@${this.botUserId}>`;
    const text = input.text.includes(mention) ? input.text : `${mention} ${input.text}`;
    const channel = this.store.ensureChannel(input.channel);
    const message = this.store.addMessage(this.messageFields({ ...input, text }, channel));
    return this.eventBody(message, 'app_mention', input);
  }

  /** The Events API body for an already stored message, as Slack sends both `message` and `app_mention` for one post. */
  eventFor(channel: string, ts: string, type: 'message' | 'app_mention', options: { eventId?: string; idOnlyFiles?: boolean } = {}): any {
    const message = this.store.findMessage(channel, ts);
    if (!message) throw new Error(`no stored message ${ts} in ${channel}`);
    return this.eventBody(message, type, options);
  }

  /** The form fields Slack POSTs for a slash command (response_url points at this fake). */
  slashCommand(input: { command?: string; text: string; channel: string; user: string }): Record<string, string> {
    const channel = this.store.ensureChannel(input.channel);
    const responsePath = this.store.newResponsePath('commands', { channel: channel.id, user: input.user });
    return slashCommandFields(this.identity, {
      command: input.command ?? '/glance',
      text: input.text,
      channel,
      user: input.user,
      responseUrl: `${this.origin}${responsePath}`,
      triggerId: this.store.newTriggerId(),
    });
  }

  /** The interactive payload of a message shortcut on a stored message. */
  messageShortcut(input: { callbackId: string; channel: string; user: string; messageTs: string }): any {
    const channel = this.store.ensureChannel(input.channel);
    const message = this.store.findMessage(channel.id, input.messageTs);
    if (!message) throw new Error(`messageShortcut: no stored message ${input.messageTs} in ${input.channel} (store it with storeMessage or messageEvent first)`);
    const responsePath = this.store.newResponsePath('actions', { channel: channel.id, user: input.user });
    return messageShortcutPayload(this.identity, {
      callbackId: input.callbackId,
      channel,
      user: input.user,
      message: this.store.toJson(message),
      responseUrl: `${this.origin}${responsePath}`,
      triggerId: this.store.newTriggerId(),
    });
  }

  /** The bot has left the channel: posting there answers not_in_channel; conversations.info says is_member false. */
  leaveChannel(channel: string): void {
    this.store.ensureChannel(channel).isMember = false;
  }

  joinChannel(channel: string): void {
    this.store.ensureChannel(channel).isMember = true;
  }

  /** The next call of `method` answers {ok:false, error}. */
  failNext(method: string, error: string): void {
    this.inject(method, { kind: 'error', error });
  }

  /** The next call of `method` answers HTTP 429 with Retry-After (and {ok:false,error:'ratelimited'}). */
  rateLimitNext(method: string, retryAfterSec: number): void {
    this.inject(method, { kind: 'rate-limit', retryAfterSec });
  }

  // ---- delivery to the app ------------------------------------------------------------------------------------

  /** POSTs an Events API body (JSON; a string is sent as it is) signed with the signing secret. */
  postEvent(receiverUrl: string, body: any, options: DeliveryOptions & { retryNum?: number } = {}): Promise<Delivery> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const retry: Record<string, string> =
      options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {};
    return this.deliver(receiverUrl, raw, 'application/json', options, retry);
  }

  /** POSTs slash command fields form-encoded, signed. */
  postCommand(receiverUrl: string, fields: Record<string, string>, options: DeliveryOptions = {}): Promise<Delivery> {
    return this.deliver(receiverUrl, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** POSTs an interactive payload as the form field payload=<json>, signed. */
  postInteraction(receiverUrl: string, payload: any, options: DeliveryOptions = {}): Promise<Delivery> {
    const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.deliver(receiverUrl, raw, 'application/x-www-form-urlencoded', options);
  }

  private async deliver(url: string, raw: string, contentType: string, options: DeliveryOptions, extra: Record<string, string> = {}): Promise<Delivery> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...signingHeaders(this.signingSecret, raw, options),
        ...extra,
      },
      body: raw,
    });
    return { status: response.status, body: await response.text() };
  }

  /**
   * Socket Mode: sends an envelope on the connected socket — events_api for Events API bodies, slash_commands for
   * command fields, interactive for interactive payloads (or `type`) — and resolves with the client's ack.
   * events_api envelopes carry retry_attempt (0 on a first delivery, as Slack sends) and retry_reason.
   */
  sendSocket(body: any, options: { type?: EnvelopeType; retryAttempt?: number; ackTimeoutMs?: number } = {}): Promise<SocketAck> {
    const type = options.type ?? envelopeTypeOf(body);
    return this.socketMode.send(type, body, { retryAttempt: options.retryAttempt, ackTimeoutMs: options.ackTimeoutMs });
  }

  /** Resolves once a Socket Mode client has connected and got hello. */
  waitForSocket(timeoutMs = 5000): Promise<void> {
    return this.socketMode.waitForConnection(timeoutMs);
  }

  /** Socket Mode connections accepted so far. */
  get socketConnections(): number {
    return this.socketMode.connections;
  }

  /** Sends `{type:'disconnect'}` to connected Socket Mode clients (they reconnect through apps.connections.open). */
  requestSocketReconnect(): void {
    this.socketMode.requestReconnect();
  }

  // ---- what the bot did ---------------------------------------------------------------------------------------

  /** Resolves with the first call (past or future) of `method` that matches; rejects after timeoutMs listing the calls seen. */
  waitForCall(method: string, match: (call: RecordedCall) => boolean = () => true, timeoutMs = 10_000): Promise<RecordedCall> {
    const matches = (call: RecordedCall) => {
      try {
        return call.method === method && match(call);
      } catch {
        return false;
      }
    };
    const found = this.calls.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (call: RecordedCall) => {
        if (!matches(call)) return;
        this.callWaiters.delete(waiter);
        clearTimeout(timer);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.callWaiters.delete(waiter);
        const seen = this.calls.map((call) => `${call.method}${call.response && call.response.ok === false ? ` (${call.response.error})` : ''}`);
        reject(new Error(`no matching ${method} call within ${timeoutMs} ms; calls seen: ${seen.join(', ') || 'none'}`));
      }, timeoutMs);
      this.callWaiters.add(waiter);
    });
  }

  /** The bot's messages in a channel (chat.postMessage, in-channel response_url answers), edits applied, in posting order. */
  botMessages(channel: string): { ts: string; thread_ts?: string; text: string; blocks?: any[] }[] {
    return this.store.messages
      .filter((message) => message.channel === channel && message.fromBot)
      .map((message) => ({
        ts: message.ts,
        ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
        text: message.text,
        ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
      }));
  }

  /** Ephemeral messages (chat.postEphemeral, and ephemeral answers to a response_url) in order. */
  ephemerals(channel?: string): { channel?: string; user?: string; text: string; blocks?: any[]; via: string }[] {
    return this.store.ephemerals.filter((ephemeral) => channel === undefined || ephemeral.channel === channel).map((ephemeral) => ({ ...ephemeral }));
  }

  /** Views opened with views.open, in order. */
  views(): any[] {
    return this.calls.filter((call) => call.method === 'views.open' && call.response?.ok).map((call) => call.response!.view);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private messageFields(input: MessageInput, channel: StoredChannel): Omit<StoredMessage, 'ts'> & { ts?: string } {
    return {
      channel: channel.id,
      user: input.user,
      text: input.text ?? '',
      ...(input.files?.length ? { files: input.files } : {}),
      ...(input.ts !== undefined ? { ts: input.ts } : {}),
      ...(input.threadTs !== undefined ? { threadTs: input.threadTs } : {}),
      fromBot: false,
    };
  }

  private eventBody(message: StoredMessage, type: 'message' | 'app_mention', input: { eventId?: string; idOnlyFiles?: boolean; channelType?: 'channel' | 'im' }): any {
    const channel = this.store.ensureChannel(message.channel);
    const parentUser = message.threadTs !== undefined ? this.store.findMessage(message.channel, message.threadTs)?.user : undefined;
    const event =
      type === 'message'
        ? messageEventJson(this.identity, message, { parentUser, idOnlyFiles: input.idOnlyFiles, channelType: input.channelType ?? (channel.isIm ? 'im' : 'channel') })
        : mentionEventJson(this.identity, message, { parentUser, idOnlyFiles: input.idOnlyFiles });
    return eventCallback(this.identity, event, input.eventId ?? slackId('Ev'));
  }

  private inject(method: string, injected: Injected): void {
    const queue = this.injected.get(method) ?? [];
    queue.push(injected);
    this.injected.set(method, queue);
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const waiter of [...this.callWaiters]) waiter(call);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/api/')) return this.webApi(request, response, url);
    if ((method === 'GET' || method === 'HEAD') && (url.pathname.startsWith('/files-pri/') || url.pathname.startsWith('/files-tmb/'))) {
      return this.serveFile(request, response, url);
    }
    if (method === 'GET' && url.pathname === '/' && url.searchParams.has('redir')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(LOGIN_PAGE);
      return;
    }
    if (method === 'POST' && this.store.responseTargets.has(url.pathname)) return this.responseUrl(request, response, url);
    await readBody(request);
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`the fake Slack has no ${method} ${url.pathname}\n`);
  }

  private async webApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice('/api/'.length));
    const raw = await readBody(request);
    let args: Record<string, any>;
    let answer: Record<string, any>;
    let status = 200;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    try {
      args = webApiArgs(raw, request.headers['content-type'], url.searchParams);
    } catch (error) {
      args = { raw: raw.toString('utf8') };
      answer = { ok: false, error: 'invalid_form_data', detail: error instanceof Error ? error.message : String(error) };
    }
    const token = callerToken(request, args);
    const injected = this.injected.get(method)?.shift();
    answer ??=
      injected?.kind === 'error'
        ? { ok: false, error: injected.error }
        : injected?.kind === 'rate-limit'
          ? { ok: false, error: 'ratelimited' }
          : callWebApi(method, args, token, { identity: this.identity, store: this.store, openSocketUrl: () => this.socketMode.newUrl() });
    if (injected?.kind === 'rate-limit') {
      status = 429;
      headers['retry-after'] = String(injected.retryAfterSec);
    }
    this.record({ method, args, token, at: Date.now(), response: answer });
    response.writeHead(status, headers);
    response.end(JSON.stringify(answer));
  }

  private serveFile(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const stored = this.store.filesByPath.get(url.pathname);
    const authorization = request.headers.authorization;
    if (!stored) {
      this.fileRequests.push({ path: url.pathname, authorization, status: 404 });
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!DOCTYPE html><html><body>File not found</body></html>');
      return;
    }
    const authorized = authorization === `Bearer ${this.botToken}` && !stored.loginPage;
    if (!authorized) {
      this.fileRequests.push({ path: url.pathname, authorization, status: 302 });
      response.writeHead(302, {
        location: `${this.origin}/?redir=${encodeURIComponent(url.pathname)}`,
        'content-type': 'text/html; charset=utf-8',
      });
      response.end(request.method === 'HEAD' ? undefined : LOGIN_PAGE);
      return;
    }
    this.fileRequests.push({ path: url.pathname, authorization, status: 200 });
    const download = url.pathname.includes('/download/');
    response.writeHead(200, {
      'content-type': stored.file.mimetype,
      'content-length': String(stored.bytes.length),
      ...(download ? { 'content-disposition': `attachment; filename="${encodeURIComponent(stored.file.name)}"` } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : stored.bytes);
  }

  private async responseUrl(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const target = this.store.responseTargets.get(url.pathname)!;
    const raw = await readBody(request);
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      this.record({ method: 'response_url', args: { raw: raw.toString('utf8') }, token: undefined, at: Date.now(), response: { ok: false, error: 'invalid_payload' } });
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('invalid_payload');
      return;
    }
    const text = typeof body?.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body?.blocks) ? body.blocks : undefined;
    if (text === '' && !blocks && body?.delete_original !== true) {
      this.record({ method: 'response_url', args: body ?? {}, token: undefined, at: Date.now(), response: { ok: false, error: 'no_text' } });
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('no_text');
      return;
    }
    if (body.response_type === 'in_channel') {
      this.store.addMessage({ channel: target.channel, user: this.botUserId, text, ...(blocks ? { blocks } : {}), fromBot: true });
    } else if (body.delete_original !== true) {
      this.store.ephemerals.push({ channel: target.channel, user: target.user, text, ...(blocks ? { blocks } : {}), via: 'response_url' });
    }
    this.record({ method: 'response_url', args: body, token: undefined, at: Date.now(), response: { ok: true } });
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('ok');
  }
}

function envelopeTypeOf(body: any): EnvelopeType {
  if (body?.type === 'event_callback') return 'events_api';
  if (typeof body?.command === 'string') return 'slash_commands';
  if (INTERACTIVE_TYPES.has(body?.type)) return 'interactive';
  throw new Error('sendSocket: cannot tell the envelope type of this body (not an event_callback, command fields or an interactive payload): pass { type }');
}
