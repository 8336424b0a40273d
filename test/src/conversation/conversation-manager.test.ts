import { describe, expect, it } from 'vitest';
import { ConversationManager, NO_IMAGE_MESSAGE, type ConversationKey, type RememberedImage } from '../../../src/conversation/conversation-manager.ts';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';

const MINUTE = 60_000;
const channel: ConversationKey = { platform: 'discord', workspace: 'g1', channel: 'c1' };
const thread: ConversationKey = { ...channel, thread: 't1' };

function image(messageId: string, postedAt: number, name = messageId, authorId = 'alice'): RememberedImage {
  return { messageId, authorId, postedAt, name, load: async () => new TextEncoder().encode(name) };
}

function setup(options: Partial<ConstructorParameters<typeof ConversationManager>[0]> = {}) {
  const clock = { now: 1_000_000 };
  const manager = new ConversationManager({ ttlMs: 60 * MINUTE, maxImagesPerConversation: 5, channelWindowMs: 30 * MINUTE, now: () => clock.now, ...options });
  return { manager, clock };
}

const names = (images: RememberedImage[]) => images.map((i) => i.name);

function noImage(run: () => unknown): GlanceError {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ code: ErrorCode.NoImage, message: NO_IMAGE_MESSAGE });
    return error as GlanceError;
  }
  throw new Error('expected NO_IMAGE');
}

describe('ConversationManager.resolve', () => {
  it('1: images on the question message itself, all of them in order', async () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('old', clock.now)]);
    const attached = [image('q', clock.now, 'a.png'), image('q', clock.now, 'b.png')];
    const resolved = manager.resolve({ key: channel, messageId: 'q', attached, replyToMessageId: 'old' });
    expect(resolved.source).toBe('message');
    expect(names(resolved.images)).toEqual(['a.png', 'b.png']);
    expect(new TextDecoder().decode(await resolved.images[1].load())).toBe('b.png');
  });

  it('1: images already remembered for the question message count as attached', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('q', clock.now, 'x.png'), image('q', clock.now, 'y.png'), image('other', clock.now + 1)]);
    expect(manager.resolve({ key: channel, messageId: 'q' })).toMatchObject({ source: 'message' });
    expect(names(manager.resolve({ key: channel, messageId: 'q' }).images)).toEqual(['x.png', 'y.png']);
  });

  it('2: else the message it replies to, even when a newer image exists', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('m1', clock.now - 5 * MINUTE, 'first.png')]);
    manager.remember(channel, [image('m2', clock.now - MINUTE, 'second.png')]);
    const resolved = manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'm1' });
    expect(resolved.source).toBe('reply');
    expect(names(resolved.images)).toEqual(['first.png']);
  });

  it('2: a reply inside a thread finds a channel message; a reply to a message with no image falls through', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('root', clock.now - MINUTE, 'root.png')]);
    manager.remember(thread, [image('in-thread', clock.now - 2 * MINUTE, 'thread.png')]);
    expect(manager.resolve({ key: thread, messageId: 'q', replyToMessageId: 'root' })).toMatchObject({ source: 'reply', images: [{ name: 'root.png' }] });
    expect(manager.resolve({ key: thread, messageId: 'q', replyToMessageId: 'text-only' })).toMatchObject({ source: 'thread', images: [{ name: 'thread.png' }] });
  });

  it('3: else the most recent image-bearing message in the thread (every image of it), not newer channel images', () => {
    const { manager, clock } = setup();
    manager.remember(thread, [image('t-a', clock.now - 10 * MINUTE, 'older.png')]);
    manager.remember(thread, [image('t-b', clock.now - 9 * MINUTE, 'one.png'), image('t-b', clock.now - 9 * MINUTE, 'two.png')]);
    manager.remember(channel, [image('c', clock.now - MINUTE, 'channel.png')]);
    const resolved = manager.resolve({ key: thread, messageId: 'q' });
    expect(resolved.source).toBe('thread');
    expect(names(resolved.images)).toEqual(['one.png', 'two.png']);
  });

  it('3: a thread with no images of its own uses its root message, kept in the channel', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('t1', clock.now - 50 * MINUTE, 'root.png')]); // thread id = root message id (Slack thread_ts)
    manager.remember(channel, [image('later', clock.now - MINUTE, 'later.png')]);
    expect(manager.resolve({ key: thread, messageId: 'q' })).toMatchObject({ source: 'thread', images: [{ name: 'root.png' }] });
  });

  it('4: else the most recent channel image within the window, ordered by posting time', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('newer', clock.now - 2 * MINUTE, 'newer.png')]);
    manager.remember(channel, [image('older', clock.now - 20 * MINUTE, 'older.png')]); // remembered later, posted earlier
    expect(manager.resolve({ key: channel, messageId: 'q' })).toMatchObject({ source: 'channel', images: [{ name: 'newer.png' }] });
    expect(manager.resolve({ key: thread, messageId: 'q' })).toMatchObject({ source: 'channel', images: [{ name: 'newer.png' }] });
  });

  it('4: images posted before the window are not guessed; 5: NO_IMAGE with the attach-or-reply text', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('stale', clock.now - 31 * MINUTE)]);
    const error = noImage(() => manager.resolve({ key: channel, messageId: 'q' }));
    expect(error.message).toMatch(/attach an image or reply to one/);
    // still reachable by replying to it
    expect(manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'stale' }).source).toBe('reply');
  });

  it('keeps conversations apart by platform, workspace, channel and thread', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('m', clock.now)]);
    noImage(() => manager.resolve({ key: { ...channel, platform: 'slack' }, messageId: 'q' }));
    noImage(() => manager.resolve({ key: { ...channel, workspace: 'g2' }, messageId: 'q' }));
    noImage(() => manager.resolve({ key: { ...channel, channel: 'c2' }, messageId: 'q' }));
    manager.remember({ ...channel, thread: 'other' }, [image('t', clock.now + 1)]);
    expect(manager.resolve({ key: channel, messageId: 'q' }).images[0].messageId).toBe('m'); // thread images are not channel images
  });
});

describe('ConversationManager memory bounds', () => {
  it('forgets images after the TTL', () => {
    const { manager, clock } = setup({ ttlMs: 10 * MINUTE, channelWindowMs: 60 * MINUTE });
    manager.remember(channel, [image('m', clock.now)]);
    clock.now += 9 * MINUTE;
    expect(manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'm' }).source).toBe('reply');
    clock.now += 2 * MINUTE;
    noImage(() => manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'm' }));
    expect(manager.stats()).toEqual({ conversations: 0, images: 0 });
  });

  it('keeps at most maxImagesPerConversation images, dropping the oldest', () => {
    const { manager, clock } = setup({ maxImagesPerConversation: 3 });
    for (let i = 0; i < 5; i += 1) manager.remember(channel, [image(`m${i}`, clock.now - (10 - i) * 1000)]);
    expect(manager.stats()).toEqual({ conversations: 1, images: 3 });
    expect(manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'm1' })).toMatchObject({ source: 'channel', images: [{ messageId: 'm4' }] });
    expect(manager.resolve({ key: channel, messageId: 'q', replyToMessageId: 'm2' })).toMatchObject({ source: 'reply', images: [{ messageId: 'm2' }] });
  });

  it('keeps at most maxConversations conversations, dropping the least recently used', () => {
    const { manager, clock } = setup({ maxConversations: 2 });
    const key = (c: string): ConversationKey => ({ ...channel, channel: c });
    manager.remember(key('a'), [image('a', clock.now)]);
    manager.remember(key('b'), [image('b', clock.now)]);
    manager.resolve({ key: key('a'), messageId: 'q' }); // a is now more recent than b
    manager.remember(key('c'), [image('c', clock.now)]);
    expect(manager.stats().conversations).toBe(2);
    expect(manager.resolve({ key: key('a'), messageId: 'q' }).images[0].messageId).toBe('a');
    noImage(() => manager.resolve({ key: key('b'), messageId: 'q' }));
  });

  it('re-remembering a message replaces its images (an edit); forgetMessage and forgetAuthor drop images', () => {
    const { manager, clock } = setup();
    manager.remember(channel, [image('m', clock.now, 'v1.png')]);
    manager.remember(channel, [image('m', clock.now, 'v2.png')]);
    expect(names(manager.resolve({ key: channel, messageId: 'q' }).images)).toEqual(['v2.png']);
    manager.remember(channel, [image('n', clock.now + 1, 'bob.png', 'bob')]);
    manager.forgetAuthor('discord', 'bob');
    expect(names(manager.resolve({ key: channel, messageId: 'q' }).images)).toEqual(['v2.png']);
    manager.forgetMessage(channel, 'm');
    noImage(() => manager.resolve({ key: channel, messageId: 'q' }));
  });

  it('refuses nonsensical bounds', () => {
    expect(() => new ConversationManager({ ttlMs: 0, maxImagesPerConversation: 1, channelWindowMs: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => new ConversationManager({ ttlMs: 1, maxImagesPerConversation: 0, channelWindowMs: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
  });
});
