/**
 * `/glance alt-text on|off|status`: the automatic alt-text setting of a channel, or of a thread. A thread follows its
 * channel (the listener describes images where the thread or its parent channel is on), so inside a thread:
 * `status` says the setting in force and whether it comes from the parent channel; `on`/`off` change the thread's own
 * setting, and when the parent channel has alt text on, `off` says plainly that it stays on here and where to turn it
 * off (a thread cannot opt out of its channel's setting). `on`/`off` need Manage Channels.
 */
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from '../adapter-context.ts';

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

function status(place: Place, own: boolean, inherited: boolean, intentNote: string): string {
  if (place.parentId === undefined) return own ? `Automatic alt text is on in this channel and its threads${intentNote}.` : 'Automatic alt text is off in this channel.';
  const parent = `<#${place.parentId}>`;
  if (own) return `Automatic alt text is on in this thread${inherited ? ` (and in its channel ${parent})` : ''}${intentNote}.`;
  if (inherited) return `Automatic alt text is on in this thread, inherited from its channel ${parent}${intentNote}.`;
  return `Automatic alt text is off in this thread and in its channel ${parent}.`;
}

export function altTextCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction, action: string): string {
  if (!interaction.inGuild()) return 'Automatic alt text is for server channels; in a DM just send me an image.';
  const place = placeOf(interaction);
  const own = context.settings.isChannelAutoAltText(PLATFORM, place.id);
  const inherited = place.parentId !== undefined && context.settings.isChannelAutoAltText(PLATFORM, place.parentId);
  const intent = context.config.discord.messageContent;
  if (action === 'status') return status(place, own, inherited, (own || inherited) && !intent ? MISSING_INTENT_STATUS : '');
  if (action !== 'on' && action !== 'off') return `Unknown /glance alt-text subcommand ${action}; see /glance help.`;
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
    return 'Only members with the Manage Channels permission can turn automatic alt text on or off here.';
  }
  const on = action === 'on';
  context.settings.setChannelAutoAltText(PLATFORM, place.id, on);
  const where = place.parentId === undefined ? 'this channel' : 'this thread';
  const parent = `<#${place.parentId}>`;
  if (!on) {
    if (inherited) {
      return `This thread's own setting is now off, but automatic alt text stays on here: its channel ${parent} has it on, and threads follow their channel. Turn it off in ${parent} to stop it there and in all its threads.`;
    }
    return `Automatic alt text is now off in ${where}.`;
  }
  const scope = place.parentId === undefined ? 'this channel and its threads' : inherited ? `this thread (its channel ${parent} has it on too; this thread keeps it if the channel turns it off)` : 'this thread';
  return `Automatic alt text is now on in ${scope}: images posted without a description get a short reply with alt text. Members can opt out with /glance opt-out.${intent ? '' : MISSING_INTENT_ON}`;
}
