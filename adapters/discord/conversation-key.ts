/**
 * The conversation a Discord message or interaction belongs to: platform 'discord', the guild (or '@dm'), the
 * channel, and for a thread the thread's id with its parent as the channel (a thread started from a message has
 * that message's id, which the conversation manager finds in the channel as the thread's root).
 */
import type { ConversationKey } from '../../src/conversation/conversation-manager.ts';
import { PLATFORM } from './adapter-context.ts';

export interface ChannelLike {
  id: string;
  isThread(): boolean;
  parentId?: string | null;
}

export function conversationKey(guildId: string | null, channelId: string, channel: ChannelLike | null | undefined): ConversationKey {
  const workspace = guildId ?? '@dm';
  if (channel?.isThread() && channel.parentId) return { platform: PLATFORM, workspace, channel: channel.parentId, thread: channel.id };
  return { platform: PLATFORM, workspace, channel: channelId };
}

/** The channels whose auto-alt-text setting applies here: the channel, and a thread's parent. */
export function settingChannels(channelId: string, channel: ChannelLike | null | undefined): string[] {
  return channel?.isThread() && channel.parentId ? [channelId, channel.parentId] : [channelId];
}
