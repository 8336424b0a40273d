/**
 * Whether glance may reply in a message's channel, checked from discord.js's cache before any work: replying where it
 * may not would only earn 403s, which count towards Discord's invalid-request ban (10,000 in 10 minutes). Every
 * reply carries a message reference (it is a reply to the message), which needs Read Message History besides View
 * Channel and Send Messages (Send Messages in Threads in a thread). Without one of them glance does not answer there
 * (it does not post unanchored messages instead: alt text must stay attached to its image); the operator is told once
 * per channel in the log. DMs are always allowed; when the permissions are unknown (member or channel not cached)
 * glance tries.
 */
import { PermissionFlagsBits, type Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';

const NAMES = new Map<bigint, string>([
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
]);

/** The permissions glance lacks to reply to `message` (names as in Discord's settings); empty = it may reply. */
export function missingReplyPermissions(message: Message): string[] {
  const channel = message.channel;
  const me = message.guild?.members.me;
  if (!message.inGuild() || !me || !('permissionsFor' in channel)) return [];
  const send = channel.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  const permissions = channel.permissionsFor(me);
  return [PermissionFlagsBits.ViewChannel, send, PermissionFlagsBits.ReadMessageHistory].filter((flag) => !permissions.has(flag)).map((flag) => NAMES.get(flag)!);
}

/** What was last logged per channel, per adapter: a warning when a channel's missing permissions change, not per message. */
const warned = new WeakMap<DiscordAdapterContext, Map<string, string>>();
const MAX_WARNED_CHANNELS = 10_000;

/** Logs (once per channel and set of missing permissions) that glance will not answer in this channel, and why. */
export function warnMissingPermissions(context: DiscordAdapterContext, channelId: string, missing: string[]): void {
  let channels = warned.get(context);
  if (!channels) warned.set(context, (channels = new Map()));
  const key = missing.join(', ');
  if (channels.get(channelId) === key) return;
  if (channels.size >= MAX_WARNED_CHANNELS) channels.clear();
  channels.set(channelId, key);
  context.log?.warn({ component: 'discord', channel: channelId, missing }, `glance will not answer in this channel: it lacks ${key} there`);
}
