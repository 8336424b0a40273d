/**
 * Discord API v10 JSON as Discord sends it (users, members, roles, channels, guilds, attachments, messages), built
 * for the fake Discord, plus the snowflake, intent and permission constants the fake needs. No discord.js here: the
 * fake is the server side and must not borrow the client's view of the protocol.
 */

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeChannelInput {
  id: string;
  name?: string;
  /** Default 0 (GUILD_TEXT); 11 (PUBLIC_THREAD) needs `parentId`. */
  type?: number;
  /** A thread's parent text channel (listed earlier in the same guild). */
  parentId?: string;
}

export interface FakeGuildInput {
  id: string;
  name?: string;
  channels: FakeChannelInput[];
  /** Permissions of the @everyone role (the bot's own role grants none); default: every permission but Administrator. */
  everyonePermissions?: bigint;
}

/** A message as the fake stores it: the Discord JSON (with the content the message really has). */
export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: { id: string; username: string; bot?: boolean; [key: string]: unknown };
  content: string;
  attachments: any[];
  embeds: any[];
  components: any[];
  mentions: any[];
  message_reference?: { type: number; message_id: string; channel_id: string; guild_id?: string };
  referenced_message?: FakeMessage | null;
  flags: number;
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  webhook_id?: string;
  [key: string]: any;
}

export const DISCORD_EPOCH_MS = 1_420_070_400_000n;
let snowflakeIncrement = 0n;

/** A snowflake for `at` (ms since 1970): discord.js reads creation times from ids, so they must be real ones. */
export function snowflake(at: number = Date.now()): string {
  snowflakeIncrement = (snowflakeIncrement + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH_MS) << 22n) | (1n << 17n) | snowflakeIncrement).toString();
}

export const Intents = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export const Permissions = {
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord defines today (and a few to spare). */
export const ALL_PERMISSIONS = (1n << 53n) - 1n;
/** The default @everyone permissions: all but Administrator, so channel overwrites (denySend) take effect. */
export const DEFAULT_EVERYONE_PERMISSIONS = ALL_PERMISSIONS & ~Permissions.Administrator;

export const ChannelTypes = { GuildText: 0, DM: 1, PublicThread: 11 } as const;
export const MessageTypes = { Default: 0, Reply: 19 } as const;
export const MessageFlags = { Ephemeral: 1 << 6, Loading: 1 << 7 } as const;

export function isoTime(at: number = Date.now()): string {
  return new Date(at).toISOString().replace('Z', '+00:00');
}

export function userJson(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.bot ? null : user.username,
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
}

export function memberJson(user: FakeUser | null, roles: string[], joinedAt: string, permissions?: bigint): Record<string, unknown> {
  return {
    ...(user ? { user: userJson(user) } : {}),
    roles,
    joined_at: joinedAt,
    nick: null,
    avatar: null,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(permissions === undefined ? {} : { permissions: permissions.toString() }),
  };
}

export interface PermissionOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface StoredChannel {
  id: string;
  type: number;
  name?: string;
  guildId?: string;
  position: number;
  overwrites: PermissionOverwrite[];
  /** DM channels: the user at the other end. */
  recipient?: FakeUser;
  lastMessageId: string | null;
  /** Threads: the parent text channel, who started it, when, and how many messages it has had. */
  parentId?: string;
  ownerId?: string;
  createdAt?: string;
  messageCount?: number;
}

export function channelJson(channel: StoredChannel, withGuildId: boolean): Record<string, unknown> {
  if (channel.type === ChannelTypes.DM) {
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: channel.lastMessageId,
      flags: 0,
      recipients: channel.recipient ? [userJson(channel.recipient)] : [],
    };
  }
  if (channel.type === ChannelTypes.PublicThread) return threadJson(channel);
  return {
    id: channel.id,
    type: channel.type,
    ...(withGuildId && channel.guildId ? { guild_id: channel.guildId } : {}),
    name: channel.name ?? `channel-${channel.id}`,
    position: channel.position,
    permission_overwrites: channel.overwrites,
    parent_id: null,
    topic: null,
    nsfw: false,
    rate_limit_per_user: 0,
    last_message_id: channel.lastMessageId,
    flags: 0,
  };
}

/**
 * A thread channel as Discord sends it (always with guild_id and parent_id; discord.js finds the parent, and with it
 * the permissions, through parent_id). Threads have no permission overwrites of their own.
 */
export function threadJson(thread: StoredChannel): Record<string, unknown> {
  return {
    id: thread.id,
    type: thread.type,
    guild_id: thread.guildId,
    parent_id: thread.parentId ?? null,
    owner_id: thread.ownerId ?? null,
    name: thread.name ?? `thread-${thread.id}`,
    last_message_id: thread.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: thread.messageCount ?? 0,
    total_message_sent: thread.messageCount ?? 0,
    member_count: 1,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: thread.createdAt, locked: false, create_timestamp: thread.createdAt },
  };
}

export interface StoredGuild {
  id: string;
  name: string;
  ownerId: string;
  botRoleId: string;
  everyonePermissions: bigint;
  joinedAt: string;
  channelIds: string[];
}

export function rolesJson(guild: StoredGuild, botUserId: string): Record<string, unknown>[] {
  const role = (id: string, name: string, permissions: bigint, position: number, extra: Record<string, unknown> = {}) => ({
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: permissions.toString(),
    managed: false,
    mentionable: false,
    flags: 0,
    ...extra,
  });
  return [
    role(guild.id, '@everyone', guild.everyonePermissions, 0),
    role(guild.botRoleId, 'glance', 0n, 1, { managed: true, tags: { bot_id: botUserId } }),
  ];
}

/** The guild object of GET /guilds/:id (no channels or members: those only come with GUILD_CREATE). */
export function guildJson(guild: StoredGuild, botUserId: string): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: rolesJson(guild, botUserId),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    max_members: 500000,
    max_video_channel_users: 25,
  };
}

export interface AttachmentJsonInput {
  id: string;
  filename: string;
  size: number;
  url: string;
  contentType?: string;
  description?: string;
  width?: number;
  height?: number;
  ephemeral?: boolean;
  /** Sets the IS_ANIMATED flag, as Discord does for animated GIF/WebP/AVIF. */
  animated?: boolean;
}

export const AttachmentFlags = { IsSpoiler: 1 << 3, IsAnimated: 1 << 5 } as const;

export function attachmentJson(input: AttachmentJsonInput): Record<string, unknown> {
  return {
    id: input.id,
    filename: input.filename,
    size: input.size,
    url: input.url,
    proxy_url: input.url,
    ...(input.contentType === undefined ? {} : { content_type: input.contentType }),
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.width === undefined ? {} : { width: input.width }),
    ...(input.height === undefined ? {} : { height: input.height }),
    ...(input.ephemeral ? { ephemeral: true } : {}),
    flags: (input.filename.startsWith('SPOILER_') ? AttachmentFlags.IsSpoiler : 0) | (input.animated ? AttachmentFlags.IsAnimated : 0),
  };
}

/** The user ids a message's content mentions (`<@id>` or `<@!id>`), in order, without repeats. */
export function mentionedIds(content: string): string[] {
  const ids: string[] = [];
  for (const match of content.matchAll(/<@!?(\d+)>/g)) if (!ids.includes(match[1])) ids.push(match[1]);
  return ids;
}

/**
 * What an app without the MESSAGE_CONTENT intent sees of `message`: content, embeds, attachments, components and
 * poll blanked, unless the message is a DM, mentions the bot or is the bot's own (Discord's exceptions). A nested
 * referenced_message is judged on its own.
 */
export function withoutMessageContent(message: FakeMessage, botUserId: string): FakeMessage {
  const exempt =
    message.guild_id === undefined ||
    message.author.id === botUserId ||
    message.mentions.some((user: { id: string }) => user.id === botUserId);
  const referenced = message.referenced_message ? withoutMessageContent(message.referenced_message, botUserId) : message.referenced_message;
  if (exempt) return referenced === message.referenced_message ? message : { ...message, referenced_message: referenced };
  const { poll: _poll, ...rest } = message;
  return { ...rest, content: '', embeds: [], attachments: [], components: [], referenced_message: referenced };
}
