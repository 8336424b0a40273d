/**
 * What the fake Discord knows: guilds, channels (guild text channels and DM channels), messages, users it has seen,
 * interactions and their responses, registered commands, and the modals the bot showed. Builds messages and the
 * guild/READY payloads from that state.
 */
import {
  ALL_PERMISSIONS,
  ChannelTypes,
  DEFAULT_EVERYONE_PERMISSIONS,
  MessageTypes,
  Permissions,
  channelJson,
  guildJson,
  isoTime,
  memberJson,
  mentionedIds,
  rolesJson,
  snowflake,
  userJson,
  type FakeGuildInput,
  type FakeMessage,
  type FakeUser,
  type StoredChannel,
  type StoredGuild,
} from './discord-objects.ts';

export interface InteractionResponse {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  type?: number;
  data: any;
  /** For edits and deletes: '@original' or the follow-up's id; for follow-ups: the id of the message created. */
  messageId?: string;
  at: number;
}

export interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId?: string;
  user: FakeUser;
  acknowledged: boolean;
  /** When INTERACTION_CREATE was sent (the initial response is due within the deadline). */
  createdAt: number;
  originalMessageId?: string;
  responses: InteractionResponse[];
  /** The interaction JSON as dispatched (for interaction_metadata). */
  commandName?: string;
}

export interface NewMessage {
  channel: StoredChannel;
  author: FakeUser;
  content?: string;
  attachments?: any[];
  embeds?: any[];
  components?: any[];
  flags?: number;
  /** The message this one replies to; `mentionRepliedUser` (default true) adds its author to mentions. */
  replyTo?: FakeMessage;
  mentionRepliedUser?: boolean;
  webhookId?: string;
  interaction?: StoredInteraction;
}

export class FakeStore {
  readonly guilds = new Map<string, StoredGuild>();
  readonly channels = new Map<string, StoredChannel>();
  readonly messages = new Map<string, FakeMessage>();
  readonly botMessageIds = new Map<string, string[]>();
  readonly users = new Map<string, FakeUser>();
  readonly interactions = new Map<string, StoredInteraction>();
  /** Registered commands: key 'global' or a guild id. */
  readonly commands = new Map<string, any[]>();
  /** The components of the last modal the bot showed, by the modal's custom_id. */
  readonly modals = new Map<string, any[]>();
  readonly deniedSend = new Set<string>();
  private readonly startedAt = isoTime();

  constructor(
    readonly botUser: FakeUser,
    readonly applicationId: string,
    guilds: FakeGuildInput[],
  ) {
    this.users.set(botUser.id, botUser);
    for (const input of guilds) {
      const guild: StoredGuild = {
        id: input.id,
        name: input.name ?? `guild-${input.id}`,
        ownerId: '1',
        botRoleId: snowflake(),
        everyonePermissions: input.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS,
        joinedAt: this.startedAt,
        channelIds: input.channels.filter((channel) => channel.type !== ChannelTypes.PublicThread).map((channel) => channel.id),
      };
      this.guilds.set(guild.id, guild);
      input.channels.forEach((channel, position) => {
        if (channel.type === ChannelTypes.PublicThread) {
          if (!channel.parentId) throw new Error(`fake Discord: thread ${channel.id} needs a parentId`);
          this.createThread({ id: channel.id, parentId: channel.parentId, name: channel.name, ownerId: botUser.id });
        } else {
          this.channels.set(channel.id, { id: channel.id, type: channel.type ?? ChannelTypes.GuildText, name: channel.name, guildId: guild.id, position, overwrites: [], lastMessageId: null });
        }
      });
    }
  }

  /** A public thread (type 11) under the guild text channel `parentId`. */
  createThread(input: { id: string; parentId: string; name?: string; ownerId: string }): StoredChannel {
    const parent = this.channels.get(input.parentId);
    if (!parent || parent.guildId === undefined || parent.type !== ChannelTypes.GuildText) throw new Error(`fake Discord: a thread's parent must be a guild text channel (got ${input.parentId})`);
    if (this.channels.has(input.id)) throw new Error(`fake Discord: channel ${input.id} exists already`);
    const thread: StoredChannel = {
      id: input.id,
      type: ChannelTypes.PublicThread,
      name: input.name,
      guildId: parent.guildId,
      position: 0,
      overwrites: [],
      lastMessageId: null,
      parentId: parent.id,
      ownerId: input.ownerId,
      createdAt: isoTime(),
      messageCount: 0,
    };
    this.channels.set(thread.id, thread);
    return thread;
  }

  /** The guild's active threads (GUILD_CREATE's `threads`). */
  threadsOf(guildId: string): StoredChannel[] {
    return [...this.channels.values()].filter((channel) => channel.guildId === guildId && channel.type === ChannelTypes.PublicThread);
  }

  /** The channel with `id`, which must belong to `guildId` when given; throws (a test mistake) otherwise. */
  guildChannel(id: string, guildId?: string): StoredChannel {
    const channel = this.channels.get(id);
    if (!channel || channel.guildId === undefined) throw new Error(`fake Discord: no guild channel ${id}; guild channels are ${[...this.channels.values()].filter((c) => c.guildId).map((c) => c.id).join(', ')} (pass guildId: null for a DM)`);
    if (guildId !== undefined && channel.guildId !== guildId) throw new Error(`fake Discord: channel ${id} belongs to guild ${channel.guildId}, not ${guildId}`);
    return channel;
  }

  /** The DM channel `id` with `user`, created on first use. */
  dmChannel(id: string, user: FakeUser): StoredChannel {
    const existing = this.channels.get(id);
    if (existing) {
      if (existing.type !== ChannelTypes.DM) throw new Error(`fake Discord: channel ${id} is a guild channel, not a DM`);
      return existing;
    }
    const channel: StoredChannel = { id, type: ChannelTypes.DM, position: 0, overwrites: [], recipient: user, lastMessageId: null };
    this.channels.set(id, channel);
    return channel;
  }

  /** A channel for a test input: guildId null = the DM channel with `user`, otherwise a guild channel. */
  resolveChannel(channelId: string, guildId: string | null | undefined, user: FakeUser): StoredChannel {
    return guildId === null ? this.dmChannel(channelId, user) : this.guildChannel(channelId, guildId);
  }

  rememberUser(user: FakeUser): void {
    this.users.set(user.id, { ...user });
  }

  /** The bot's permissions in `channel` (Discord's algorithm: roles, then the member overwrite; Administrator wins). */
  botPermissions(channel: StoredChannel): bigint {
    if (channel.guildId === undefined) return ALL_PERMISSIONS & ~Permissions.Administrator;
    const guild = this.guilds.get(channel.guildId)!;
    let permissions = guild.everyonePermissions;
    if (permissions & Permissions.Administrator) return ALL_PERMISSIONS;
    for (const overwrite of channel.overwrites) {
      if (overwrite.id === guild.id || overwrite.id === guild.botRoleId || overwrite.id === this.botUser.id) {
        permissions = (permissions & ~BigInt(overwrite.deny)) | BigInt(overwrite.allow);
      }
    }
    return permissions;
  }

  createMessage(input: NewMessage): FakeMessage {
    const { channel, author } = input;
    const content = input.content ?? '';
    const guildId = channel.guildId;
    const mentionIds = mentionedIds(content).filter((id) => this.users.has(id));
    if (input.replyTo && input.mentionRepliedUser !== false && !mentionIds.includes(input.replyTo.author.id)) mentionIds.push(input.replyTo.author.id);
    const mentions = mentionIds.map((id) => this.mentionJson(id, guildId));
    const id = snowflake();
    const message: FakeMessage = {
      id,
      channel_id: channel.id,
      ...(guildId === undefined ? {} : { guild_id: guildId }),
      author: userJson(author) as FakeMessage['author'],
      ...(guildId === undefined ? {} : { member: this.memberOf(author, guildId, false) }),
      content,
      timestamp: isoTime(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions,
      mention_roles: [],
      mention_channels: [],
      attachments: input.attachments ?? [],
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      reactions: [],
      pinned: false,
      type: input.replyTo ? MessageTypes.Reply : MessageTypes.Default,
      flags: input.flags ?? 0,
      ...(input.webhookId ? { webhook_id: input.webhookId, application_id: this.applicationId } : {}),
      ...(input.replyTo
        ? {
            message_reference: { type: 0, message_id: input.replyTo.id, channel_id: input.replyTo.channel_id, ...(input.replyTo.guild_id ? { guild_id: input.replyTo.guild_id } : {}) },
            referenced_message: { ...input.replyTo, referenced_message: undefined },
          }
        : {}),
      ...(input.interaction
        ? {
            interaction_metadata: {
              id: input.interaction.id,
              type: input.interaction.type,
              user: userJson(input.interaction.user),
              authorizing_integration_owners: {},
              ...(input.interaction.commandName ? { name: input.interaction.commandName } : {}),
            },
          }
        : {}),
    };
    this.messages.set(id, message);
    channel.lastMessageId = id;
    if (channel.messageCount !== undefined) channel.messageCount++;
    return message;
  }

  /** A stored message of `channelId`, or undefined. */
  message(channelId: string, messageId: string): FakeMessage | undefined {
    const message = this.messages.get(messageId);
    return message && message.channel_id === channelId ? message : undefined;
  }

  recordBotMessage(message: FakeMessage): void {
    const ids = this.botMessageIds.get(message.channel_id) ?? [];
    ids.push(message.id);
    this.botMessageIds.set(message.channel_id, ids);
  }

  /** Applies a PATCH body (content, embeds, components, flags, attachments to keep, new attachments). */
  editMessage(message: FakeMessage, body: any, newAttachments: any[]): FakeMessage {
    if (body && typeof body === 'object') {
      if ('content' in body) message.content = body.content ?? '';
      if ('embeds' in body) message.embeds = body.embeds ?? [];
      if ('components' in body) message.components = body.components ?? [];
      if ('flags' in body && body.flags !== undefined && body.flags !== null) message.flags = Number(body.flags);
      if (Array.isArray(body.attachments)) {
        const keep = new Set(body.attachments.map((attachment: { id: unknown }) => String(attachment.id)));
        message.attachments = message.attachments.filter((attachment) => keep.has(String(attachment.id)));
      }
    }
    message.attachments.push(...newAttachments);
    message.edited_timestamp = isoTime();
    return message;
  }

  memberOf(user: FakeUser, guildId: string, withUser: boolean, permissions?: bigint): Record<string, unknown> {
    const guild = this.guilds.get(guildId)!;
    const roles = user.id === this.botUser.id ? [guild.botRoleId] : [];
    return memberJson(withUser ? user : null, roles, guild.joinedAt, permissions);
  }

  private mentionJson(userId: string, guildId: string | undefined): Record<string, unknown> {
    const user = this.users.get(userId)!;
    return { ...userJson(user), ...(guildId === undefined ? {} : { member: this.memberOf(user, guildId, false) }) };
  }

  readyPayload(sessionId: string, resumeUrl: string): unknown {
    return {
      v: 10,
      user_settings: {},
      user: { ...userJson(this.botUser), verified: true, mfa_enabled: false, email: null },
      guilds: [...this.guilds.keys()].map((id) => ({ id, unavailable: true })),
      session_id: sessionId,
      session_type: 'normal',
      resume_gateway_url: resumeUrl,
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['local'],
      auth_session_id_hash: 'fake',
      _trace: ['fake-discord'],
    };
  }

  guildCreatePayloads(): unknown[] {
    return [...this.guilds.values()].map((guild) => ({
      ...guildJson(guild, this.botUser.id),
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [this.memberOf(this.botUser, guild.id, true)],
      channels: guild.channelIds.map((id) => channelJson(this.channels.get(id)!, false)),
      threads: this.threadsOf(guild.id).map((thread) => channelJson(thread, true)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      embedded_activities: [],
      application_command_counts: {},
      lazy: true,
    }));
  }

  guildJson(guildId: string): Record<string, unknown> | undefined {
    const guild = this.guilds.get(guildId);
    return guild && { ...guildJson(guild, this.botUser.id), approximate_member_count: 2 };
  }

  rolesJson(guildId: string): Record<string, unknown>[] | undefined {
    const guild = this.guilds.get(guildId);
    return guild && rolesJson(guild, this.botUser.id);
  }
}
