/**
 * `/glance alt-text on|off|status` (alt-text-command.ts: channels and threads; Manage Channels required for on/off),
 * `/glance opt-out|opt-in`, `/glance help`, `/glance privacy`. All answers are ephemeral.
 */
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from '../adapter-context.ts';
import { NO_PINGS } from '../discord-reply.ts';
import { replyPrivately } from '../interaction-reply.ts';
import { altTextCommand } from './alt-text-command.ts';
import { helpText, privacyText } from './glance-texts.ts';

async function answer(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS });
}

export async function glanceCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction): Promise<void> {
  try {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(true);
    const userId = interaction.user.id;
    let content: string;
    if (group === 'alt-text') content = altTextCommand(context, interaction, sub);
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
