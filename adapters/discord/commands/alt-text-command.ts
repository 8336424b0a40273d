/**
 * `/glance alt-text on|off|status`: the automatic alt-text setting of a channel, or of a thread. A thread nobody set
 * follows its channel; `on`/`off` inside a thread give the thread a setting of its own, which then wins over the
 * channel's either way (auto-alt-text-setting.ts). `status` says the setting in force and where it comes from.
 * `on`/`off` need Manage Channels.
 */
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from '../adapter-context.ts';
import { autoAltTextInForce } from '../auto-alt-text-setting.ts';

/** Where the command runs: the channel's id, and for a thread its parent channel's id. */
interface Place {
  id: string;
  parentId?: string;
}

function placeOf(interaction: ChatInputCommandInteraction): Place {
  const channel = interaction.channel;
  if (channel?.isThread() && channel.parentId) return { id: interaction.channelId, parentId: channel.parentId };
  return { id: interaction.channelId };
}

const MISSING_INTENT_STATUS =
  ' (but this glance runs without the Message Content intent, so it cannot see the images: ask its operator to set DISCORD_MESSAGE_CONTENT=true)';
const MISSING_INTENT_ON =
  ' Note: this glance runs without the Message Content intent, so it cannot see images posted here until its operator sets DISCORD_MESSAGE_CONTENT=true; "Describe image" works meanwhile.';

function status(place: Place, own: boolean | undefined, parentOn: boolean, intentNote: string): string {
  if (place.parentId === undefined) return own === true ? `Automatic alt text is on in this channel and its threads${intentNote}.` : 'Automatic alt text is off in this channel.';
  const parent = `<#${place.parentId}>`;
  if (own === true) return `Automatic alt text is on in this thread${parentOn ? ` (and in its channel ${parent})` : ''}${intentNote}.`;
  if (own === false && parentOn) return `Automatic alt text is off in this thread (turned off here), though its channel ${parent} has it on.`;
  if (parentOn) return `Automatic alt text is on in this thread, inherited from its channel ${parent}${intentNote}.`;
  return `Automatic alt text is off in this thread and in its channel ${parent}.`;
}

export function altTextCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction, action: string): string {
  if (!interaction.inGuild()) return 'Automatic alt text is for server channels; in a DM just send me an image.';
  const place = placeOf(interaction);
  const own = context.settings.channelAutoAltText(PLATFORM, place.id);
  const parentOn = place.parentId !== undefined && context.settings.isChannelAutoAltText(PLATFORM, place.parentId);
  const intent = context.config.discord.messageContent;
  const inForce = autoAltTextInForce(context, place.parentId === undefined ? [place.id] : [place.id, place.parentId]).on;
  if (action === 'status') return status(place, own, parentOn, inForce && !intent ? MISSING_INTENT_STATUS : '');
  if (action !== 'on' && action !== 'off') return `Unknown /glance alt-text subcommand ${action}; see /glance help.`;
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
    return 'Only members with the Manage Channels permission can turn automatic alt text on or off here.';
  }
  const on = action === 'on';
  context.settings.setChannelAutoAltText(PLATFORM, place.id, on);
  const parent = `<#${place.parentId}>`;
  if (!on) {
    if (place.parentId === undefined) return 'Automatic alt text is now off in this channel (threads turned on with /glance alt-text keep theirs).';
    return parentOn ? `Automatic alt text is now off in this thread; its channel ${parent} keeps it on.` : 'Automatic alt text is now off in this thread.';
  }
  const scope = place.parentId === undefined ? 'this channel and its threads' : parentOn ? `this thread (its channel ${parent} has it on too; this thread keeps it if the channel turns it off)` : 'this thread';
  return `Automatic alt text is now on in ${scope}: images posted without a description get a short reply with alt text. Members can opt out with /glance opt-out.${intent ? '' : MISSING_INTENT_ON}`;
}
