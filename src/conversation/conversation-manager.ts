/**
 * Which image a question is about. Per conversation — (platform, workspace/guild, channel, thread) — it
 * remembers the recent images posted (content hash when known, message, author, existing alt text, when),
 * bounded by a TTL, a per-conversation image count and a conversation count; and it resolves a question to
 * images in this order:
 *
 * 1. `message` — images attached to the question's own message (all of them, in order);
 * 2. `reply`   — the images of the message the question replies to;
 * 3. `thread`  — in a thread: the most recent image-bearing message of the thread (or, failing that, the
 *                thread's root message, which platforms keep in the channel);
 * 4. `channel` — the most recent image-bearing message posted in the channel (outside threads) within
 *                `channelWindowMs`;
 * 5. otherwise GlanceError NO_IMAGE ("attach an image or reply to one").
 *
 * Steps 3 and 4 return every image of that one message, in posting order, so an answer can say which image
 * each part is for. Images are loaded lazily (`load`) by the adapter that knows how to fetch them.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export interface ConversationKey {
  platform: string;
  workspace: string;
  channel: string;
  thread?: string;
}

export interface RememberedImage {
  /** sha256 hex of the bytes, once known (EmbeddingCache.hashImage). */
  imageHash?: string;
  messageId: string;
  authorId: string;
  altText?: string;
  /** When the message was posted (ms since the epoch, the platform's clock). */
  postedAt: number;
  /** File name or label, for "image 2 (cat.png): ..." answers. */
  name?: string;
  load: () => Promise<Uint8Array>;
}

export type ImageSource = 'message' | 'reply' | 'thread' | 'channel';

export interface ResolvedImages {
  source: ImageSource;
  images: RememberedImage[];
}

export interface ConversationManagerOptions {
  /** How long a remembered image is kept after it was remembered. */
  ttlMs: number;
  /** Most images kept per conversation; the oldest are forgotten first. */
  maxImagesPerConversation: number;
  /** Step 4 only considers channel images posted at most this long ago. */
  channelWindowMs: number;
  /** Most conversations kept; the least recently used is forgotten first. Default 10 000. */
  maxConversations?: number;
  /** Clock in ms since the epoch (tests); default Date.now. */
  now?: () => number;
}

export const NO_IMAGE_MESSAGE = 'There is no image to look at here: attach an image or reply to one.';

interface Entry {
  image: RememberedImage;
  rememberedAt: number;
}

function conversationId(key: ConversationKey): string {
  return JSON.stringify([key.platform, key.workspace, key.channel, key.thread ?? null]);
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new GlanceError(ErrorCode.InvalidInput, `conversation manager: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${value}).`);
  }
  return value;
}

export class ConversationManager {
  /** Insertion order = least recently used first. */
  private readonly conversations = new Map<string, Entry[]>();
  private readonly ttlMs: number;
  private readonly maxImages: number;
  private readonly channelWindowMs: number;
  private readonly maxConversations: number;
  private readonly now: () => number;

  constructor(options: ConversationManagerOptions) {
    this.ttlMs = positive('ttlMs', options.ttlMs);
    this.maxImages = Math.floor(positive('maxImagesPerConversation', options.maxImagesPerConversation));
    this.channelWindowMs = positive('channelWindowMs', options.channelWindowMs, true);
    this.maxConversations = Math.floor(positive('maxConversations', options.maxConversations ?? 10_000));
    this.now = options.now ?? Date.now;
  }

  /**
   * Remembers images posted in a conversation. Images of a message already remembered replace its earlier
   * ones (an edited message). Beyond the per-conversation bound the oldest images are forgotten.
   */
  remember(key: ConversationKey, images: RememberedImage[]): void {
    if (images.length === 0) return;
    const id = conversationId(key);
    const now = this.now();
    const replaced = new Set(images.map((image) => image.messageId));
    const entries = this.live(id).filter((entry) => !replaced.has(entry.image.messageId));
    for (const image of images) entries.push({ image, rememberedAt: now });
    entries.sort((a, b) => a.image.postedAt - b.image.postedAt); // stable: same time keeps remembering order
    this.conversations.delete(id);
    this.conversations.set(id, entries.slice(-this.maxImages));
    while (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
  }

  /** The images a question is about, in the order described at the top of this file; NO_IMAGE when none. */
  resolve(query: { key: ConversationKey; messageId: string; attached?: RememberedImage[]; replyToMessageId?: string }): ResolvedImages {
    const { key } = query;
    if (query.attached && query.attached.length > 0) return { source: 'message', images: [...query.attached] };
    const channelKey: ConversationKey = { platform: key.platform, workspace: key.workspace, channel: key.channel };
    const here = this.touch(conversationId(key));
    const channel = key.thread === undefined ? here : this.touch(conversationId(channelKey));

    const own = ofMessage(here, query.messageId);
    if (own.length > 0) return { source: 'message', images: own };

    if (query.replyToMessageId !== undefined) {
      const replied = ofMessage(here, query.replyToMessageId);
      const found = replied.length > 0 ? replied : ofMessage(channel, query.replyToMessageId);
      if (found.length > 0) return { source: 'reply', images: found };
    }

    if (key.thread !== undefined) {
      const latest = latestMessage(here);
      if (latest.length > 0) return { source: 'thread', images: latest };
      const root = ofMessage(channel, key.thread);
      if (root.length > 0) return { source: 'thread', images: root };
    }

    const since = this.now() - this.channelWindowMs;
    const recent = latestMessage(channel.filter((entry) => entry.image.postedAt >= since));
    if (recent.length > 0) return { source: 'channel', images: recent };

    throw new GlanceError(ErrorCode.NoImage, NO_IMAGE_MESSAGE, { platform: key.platform, channel: key.channel, ...(key.thread ? { thread: key.thread } : {}) });
  }

  /** Forgets a deleted message's images. */
  forgetMessage(key: ConversationKey, messageId: string): void {
    const id = conversationId(key);
    const entries = this.conversations.get(id);
    if (!entries) return;
    const kept = entries.filter((entry) => entry.image.messageId !== messageId);
    if (kept.length > 0) this.conversations.set(id, kept);
    else this.conversations.delete(id);
  }

  /** Forgets every image a user posted on a platform (the user opted out). */
  forgetAuthor(platform: string, authorId: string): void {
    for (const [id, entries] of this.conversations) {
      if (JSON.parse(id)[0] !== platform) continue;
      const kept = entries.filter((entry) => entry.image.authorId !== authorId);
      if (kept.length > 0) this.conversations.set(id, kept);
      else this.conversations.delete(id);
    }
  }

  stats(): { conversations: number; images: number } {
    let images = 0;
    for (const id of [...this.conversations.keys()]) images += this.live(id).length;
    return { conversations: this.conversations.size, images };
  }

  /** The conversation's unexpired entries (expired ones are dropped; an emptied conversation is removed). */
  private live(id: string): Entry[] {
    const entries = this.conversations.get(id);
    if (!entries) return [];
    const oldest = this.now() - this.ttlMs;
    const kept = entries.filter((entry) => entry.rememberedAt > oldest);
    if (kept.length === 0) this.conversations.delete(id);
    else if (kept.length !== entries.length) this.conversations.set(id, kept);
    return kept;
  }

  /** live(), and marks the conversation most recently used. */
  private touch(id: string): Entry[] {
    const entries = this.live(id);
    if (entries.length > 0) {
      this.conversations.delete(id);
      this.conversations.set(id, entries);
    }
    return entries;
  }
}

function ofMessage(entries: Entry[], messageId: string): RememberedImage[] {
  return entries.filter((entry) => entry.image.messageId === messageId).map((entry) => entry.image);
}

/** Every image of the most recently posted message among the entries (sorted by postedAt). */
function latestMessage(entries: Entry[]): RememberedImage[] {
  const last = entries.at(-1);
  return last ? ofMessage(entries, last.image.messageId) : [];
}
