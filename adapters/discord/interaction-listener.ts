/** Routes each interaction to its command handler (unknown ones get a private "unknown command" answer). */
import type { Interaction } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { askAboutImageCommand, askModalSubmit, ASK_MODAL_PREFIX } from './commands/ask-about-image-command.ts';
import { askCommand } from './commands/ask-command.ts';
import { captionCommand } from './commands/caption-command.ts';
import { COMMAND } from './commands/command-definitions.ts';
import { describeImageCommand } from './commands/describe-image-command.ts';
import { glanceCommand } from './commands/glance-command.ts';
import { replyPrivately } from './interaction-reply.ts';

export async function handleInteraction(context: DiscordAdapterContext, interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand()) {
    if (interaction.commandName === COMMAND.caption) return captionCommand(context, interaction);
    if (interaction.commandName === COMMAND.ask) return askCommand(context, interaction);
    if (interaction.commandName === COMMAND.glance) return glanceCommand(context, interaction);
  } else if (interaction.isMessageContextMenuCommand()) {
    if (interaction.commandName === COMMAND.describeImage) return describeImageCommand(context, interaction);
    if (interaction.commandName === COMMAND.askAboutImage) return askAboutImageCommand(context, interaction);
  } else if (interaction.isModalSubmit()) {
    if (interaction.customId.startsWith(ASK_MODAL_PREFIX)) return askModalSubmit(context, interaction);
  }
  if (interaction.isRepliable()) {
    await replyPrivately(context, interaction, 'glance does not know this command; its commands may need registering again (glance discord register).');
  }
}
