/**
 * Whether glance may post in a message's channel, checked from discord.js's cache before any work: replying where
 * it may not would only earn 403s, which count towards Discord's invalid-request ban (10,000 in 10 minutes).
 * DMs are always allowed; when the permissions are unknown (member or channel not cached) glance tries.
 */
import { PermissionFlagsBits, type Message } from 'discord.js';

export function maySendIn(message: Message): boolean {
  const channel = message.channel;
  const me = message.guild?.members.me;
  if (!message.inGuild() || !me || !('permissionsFor' in channel)) return true;
  const send = channel.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  return channel.permissionsFor(me).has([PermissionFlagsBits.ViewChannel, send]);
}
