/**
 * Deleted messages' images are forgotten (privacy: a question must not find an image its author deleted). discord.js
 * reports deletions of messages it never cached (older than its 50-message cache, or from before a restart) only
 * with Partials.Message: then the message is partial (id, channel and guild ids only), which is all this needs.
 * Bulk deletes (a moderator purging a channel) forget every message listed.
 */
import type { Message, PartialMessage, ReadonlyCollection } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { conversationKey, type ChannelLike } from './conversation-key.ts';

export function forgetDeletedMessages(context: DiscordAdapterContext, guildId: string | null, channelId: string, channel: ChannelLike | null | undefined, messageIds: Iterable<string>): void {
  const key = conversationKey(guildId, channelId, channel);
  for (const id of messageIds) context.conversations.forgetMessage(key, id);
}

/** MessageDelete: a whole or partial message. */
export function onMessageDelete(context: DiscordAdapterContext, message: Message | PartialMessage): void {
  forgetDeletedMessages(context, message.guildId, message.channelId, message.channel, [message.id]);
}

/** MessageBulkDelete: the ids of the deleted messages (whole or partial), in one channel. */
export function onMessageBulkDelete(context: DiscordAdapterContext, messages: ReadonlyCollection<string, Message | PartialMessage>, channel: ChannelLike & { guildId: string | null }): void {
  forgetDeletedMessages(context, channel.guildId, channel.id, channel, messages.keys());
}
