/**
 * `/glance alt-text on|off|status` (Manage Channels required: checked here, refused politely otherwise),
 * `/glance opt-out|opt-in`, `/glance help`, `/glance privacy`. All answers are ephemeral.
 */
import { MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from '../adapter-context.ts';
import { NO_PINGS } from '../discord-reply.ts';
import { replyPrivately } from '../interaction-reply.ts';
import { helpText, privacyText } from './glance-texts.ts';

async function answer(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
}

function altText(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction, action: string): string {
  if (!interaction.inGuild()) return 'Automatic alt text is for server channels; in a DM just send me an image.';
  const channelId = interaction.channelId;
  const enabled = context.settings.isChannelAutoAltText(PLATFORM, channelId);
  if (action === 'status') {
    const intentNote = enabled && !context.config.discord.messageContent ? ' (but this glance runs without the Message Content intent, so it cannot see the images: ask its operator to set DISCORD_MESSAGE_CONTENT=true)' : '';
    return enabled ? `Automatic alt text is on in this channel${intentNote}.` : 'Automatic alt text is off in this channel.';
  }
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels)) {
    return 'Only members with the Manage Channels permission can turn automatic alt text on or off here.';
  }
  const on = action === 'on';
  context.settings.setChannelAutoAltText(PLATFORM, channelId, on);
  if (!on) return 'Automatic alt text is now off in this channel.';
  const note = context.config.discord.messageContent
    ? ''
    : ' Note: this glance runs without the Message Content intent, so it cannot see images posted here until its operator sets DISCORD_MESSAGE_CONTENT=true; "Describe image" works meanwhile.';
  return `Automatic alt text is now on in this channel: images posted without a description get a short reply with alt text. Members can opt out with /glance opt-out.${note}`;
}

export async function glanceCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction): Promise<void> {
  try {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(true);
    const userId = interaction.user.id;
    let content: string;
    if (group === 'alt-text') content = altText(context, interaction, sub);
    else if (sub === 'opt-out') {
      context.settings.setUserOptOut(PLATFORM, userId, true);
      context.conversations.forgetAuthor(PLATFORM, userId);
      content = 'Done: glance will not describe or remember your images unless you ask it yourself. /glance opt-in undoes this.';
    } else if (sub === 'opt-in') {
      context.settings.setUserOptOut(PLATFORM, userId, false);
      content = 'Done: glance may describe your images again where automatic alt text is on.';
    } else if (sub === 'help') content = helpText(context.config);
    else if (sub === 'privacy') content = privacyText(context.config);
    else content = `Unknown /glance subcommand ${sub}; see /glance help.`;
    await answer(interaction, content);
  } catch (error) {
    await replyPrivately(context, interaction, error);
  }
}
