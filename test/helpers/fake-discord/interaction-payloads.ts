/**
 * INTERACTION_CREATE payloads as Discord sends them: the interaction envelope (guild member or DM user, channel,
 * app_permissions, context), slash-command attachment options, and modal submissions that mirror the modal shown.
 */
import { channelJson, userJson, type FakeUser, type StoredChannel } from './discord-objects.ts';

export interface InteractionEnvelope {
  id: string;
  token: string;
  type: number;
  data: Record<string, unknown>;
  applicationId: string;
  channel: StoredChannel;
  user: FakeUser;
  /** The member JSON (with user and permissions) in a guild; undefined in a DM. */
  member?: Record<string, unknown>;
  appPermissions: bigint;
}

export function interactionPayload(envelope: InteractionEnvelope): Record<string, unknown> {
  const { channel, type, data } = envelope;
  const guildId = channel.guildId;
  return {
    id: envelope.id,
    application_id: envelope.applicationId,
    type,
    data: guildId !== undefined && type === 2 ? { ...data, guild_id: guildId } : data,
    token: envelope.token,
    version: 1,
    channel: channelJson(channel, true),
    channel_id: channel.id,
    ...(guildId === undefined
      ? { user: userJson(envelope.user), context: 1, authorizing_integration_owners: { '0': '0' } }
      : {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          member: envelope.member,
          context: 0,
          authorizing_integration_owners: { '0': guildId },
        }),
    app_permissions: envelope.appPermissions.toString(),
    locale: 'en-US',
    entitlements: [],
    entitlement_sku_ids: [],
    attachment_size_limit: 10 * 1024 * 1024,
  };
}

/** Sets the attachment option `name` to `id` wherever it is; otherwise adds it (inside the first subcommand when there is one). */
export function placeAttachmentOption(options: any[], name: string, id: string): void {
  const find = (list: any[]): any | undefined => {
    for (const option of list) {
      if (option.name === name && option.type === 11) return option;
      const inner = Array.isArray(option.options) ? find(option.options) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const existing = find(options);
  if (existing) {
    existing.value = id;
    return;
  }
  let list = options;
  while (list[0] && (list[0].type === 1 || list[0].type === 2)) {
    list[0].options ??= [];
    list = list[0].options;
  }
  list.push({ name, type: 11, value: id });
}

/**
 * The components of a modal submission: the layout of the modal the bot showed (action rows or labels; text
 * displays kept as such; selects and uploads submitted empty) with `values` by text-input custom_id. Without a
 * shown modal, one action row per value. A value naming no text input of the shown modal is a test mistake: throws.
 */
export function modalSubmitComponents(customId: string, shown: any[] | undefined, values: Record<string, string>): any[] {
  if (!shown) return Object.entries(values).map(([inputId, value]) => ({ type: 1, components: [{ type: 4, custom_id: inputId, value }] }));
  const inputIds: string[] = [];
  const components = shown.map((component: any) => {
    const id = component.id === undefined ? {} : { id: component.id };
    if (component.type !== 1 && component.type !== 18) return { type: component.type, ...id }; // text display
    const inner = component.type === 18 ? component.component : component.components?.[0];
    const inputId: string = inner?.custom_id;
    const innerId = inner?.id === undefined ? {} : { id: inner.id };
    let submitted: Record<string, unknown>;
    if (inner?.type === 4) {
      inputIds.push(inputId);
      submitted = { type: 4, ...innerId, custom_id: inputId, value: values[inputId] ?? '' };
    } else {
      submitted = { type: inner?.type, ...innerId, custom_id: inputId, values: [] };
    }
    return component.type === 18 ? { type: 18, ...id, component: submitted } : { type: 1, ...id, components: [submitted] };
  });
  const unknownIds = Object.keys(values).filter((key) => !inputIds.includes(key));
  if (unknownIds.length) throw new Error(`fake Discord: modal ${customId} has no text input ${unknownIds.join(', ')} (it has ${inputIds.join(', ')})`);
  return components;
}
