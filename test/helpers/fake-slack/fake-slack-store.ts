/**
 * What the fake Slack workspace holds: channels (and whether the bot is a member), every message (users' and the
 * bot's, threads included), hosted files, ephemeral messages, response URLs and trigger ids it handed out.
 */
import { randomBytes } from 'node:crypto';
import { messageJson } from './slack-payloads.ts';
import { TsClock, compareTs, type SlackIdentity, type StoredChannel, type StoredFile, type StoredMessage } from './slack-objects.ts';

export interface EphemeralMessage {
  channel?: string;
  user?: string;
  text: string;
  blocks?: any[];
  /** 'chat.postEphemeral' or 'response_url'. */
  via: 'chat.postEphemeral' | 'response_url';
}

export interface ResponseTarget {
  channel: string;
  user: string;
}

export class SlackStore {
  readonly channels = new Map<string, StoredChannel>();
  /** Every message in the order it was stored. */
  readonly messages: StoredMessage[] = [];
  readonly filesById = new Map<string, StoredFile>();
  /** URL path (url_private, url_private_download, thumbnails) → file. */
  readonly filesByPath = new Map<string, StoredFile>();
  readonly ephemerals: EphemeralMessage[] = [];
  /** URL path of a response_url → where its answers go. */
  readonly responseTargets = new Map<string, ResponseTarget>();
  readonly triggerIds = new Set<string>();
  readonly clock = new TsClock();
  private triggerCount = 0;

  constructor(private readonly identity: SlackIdentity) {}

  /** A channel the tests never declared is created on first use (an `im` when its id starts with D), the bot a member. */
  ensureChannel(id: string, isIm = id.startsWith('D'), imUser?: string): StoredChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = { id, name: isIm ? id : id.toLowerCase(), isMember: true, isIm, created: Math.floor(Date.now() / 1000) };
      this.channels.set(id, channel);
    }
    if (channel.isIm && imUser !== undefined && channel.imUser === undefined) channel.imUser = imUser;
    return channel;
  }

  addMessage(input: Omit<StoredMessage, 'ts'> & { ts?: string }): StoredMessage {
    if (input.ts !== undefined) this.clock.observe(input.ts);
    const message: StoredMessage = { ...input, ts: input.ts ?? this.clock.next() };
    if (message.threadTs === message.ts) delete message.threadTs;
    this.messages.push(message);
    return message;
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  /** Top-level messages of a channel (thread replies excluded), oldest first. */
  topLevel(channel: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === undefined).sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** A thread's replies, oldest first (empty when the message has none). */
  replies(channel: string, parentTs: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel && message.threadTs === parentTs).sort((a, b) => compareTs(a.ts, b.ts));
  }

  /** The message as Slack's API shows it (reply counts on a parent, parent_user_id on a reply). */
  toJson(message: StoredMessage): any {
    if (message.threadTs !== undefined) {
      return messageJson(this.identity, message, { parentUser: this.findMessage(message.channel, message.threadTs)?.user });
    }
    return messageJson(this.identity, message, { replies: this.replies(message.channel, message.ts) });
  }

  newTriggerId(): string {
    this.triggerCount += 1;
    const id = `${Date.now()}${this.triggerCount}.${this.identity.teamId.slice(1)}.${randomBytes(16).toString('hex')}`;
    this.triggerIds.add(id);
    return id;
  }

  newResponsePath(kind: 'commands' | 'actions', target: ResponseTarget): string {
    const path = `/${kind}/${this.identity.teamId}/${this.responseTargets.size + 1}/${randomBytes(12).toString('base64url')}`;
    this.responseTargets.set(path, target);
    return path;
  }
}
