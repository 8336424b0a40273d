/**
 * The application commands glance registers (`glance discord register`): `/caption`, `/ask`, `/glance`, and the
 * message context-menu commands "Describe image" and "Ask about image". Available in servers and in DMs with the
 * bot. `/glance alt-text` checks the member's Manage Channels permission itself (so `/glance opt-out` stays open
 * to everyone).
 */
import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  SlashCommandBuilder,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';

export const COMMAND = {
  caption: 'caption',
  ask: 'ask',
  glance: 'glance',
  describeImage: 'Describe image',
  askAboutImage: 'Ask about image',
} as const;

/** Discord's limit on a slash command's string option. */
const MAX_STRING_OPTION = 6000;

const CONTEXTS = [InteractionContextType.Guild, InteractionContextType.BotDM] as const;

export function commandDefinitions(options: { maxQuestionChars: number }): RESTPostAPIApplicationCommandsJSONBody[] {
  const questionMax = Math.min(MAX_STRING_OPTION, options.maxQuestionChars);
  const caption = new SlashCommandBuilder()
    .setName(COMMAND.caption)
    .setDescription('Describe an image (alt text)')
    .setContexts(...CONTEXTS)
    .addAttachmentOption((option) => option.setName('image').setDescription('The image to describe').setRequired(true))
    .addStringOption((option) =>
      option
        .setName('length')
        .setDescription('short (default) or detailed')
        .addChoices({ name: 'short', value: 'short' }, { name: 'detailed', value: 'detailed' }),
    )
    .addStringOption((option) => option.setName('prompt').setDescription('Text the caption should continue, e.g. "a photo of"').setMaxLength(questionMax));
  const ask = new SlashCommandBuilder()
    .setName(COMMAND.ask)
    .setDescription('Ask a question about an image (the attached one, or the recent one in this channel)')
    .setContexts(...CONTEXTS)
    .addStringOption((option) => option.setName('question').setDescription('Your question').setRequired(true).setMaxLength(questionMax))
    .addAttachmentOption((option) => option.setName('image').setDescription('The image (default: the recent image here)'));
  const glance = new SlashCommandBuilder()
    .setName(COMMAND.glance)
    .setDescription('glance settings, help and privacy')
    .setContexts(...CONTEXTS)
    .addSubcommandGroup((group) =>
      group
        .setName('alt-text')
        .setDescription('Automatic alt text for images posted in this channel (needs Manage Channels)')
        .addSubcommand((sub) => sub.setName('on').setDescription('Describe images posted here without alt text'))
        .addSubcommand((sub) => sub.setName('off').setDescription('Stop describing images posted here'))
        .addSubcommand((sub) => sub.setName('status').setDescription('Is automatic alt text on here?')),
    )
    .addSubcommand((sub) => sub.setName('opt-out').setDescription('glance never describes or remembers your images unless you ask'))
    .addSubcommand((sub) => sub.setName('opt-in').setDescription('Undo opt-out'))
    .addSubcommand((sub) => sub.setName('help').setDescription('What glance does and how to use it'))
    .addSubcommand((sub) => sub.setName('privacy').setDescription('What glance keeps, and for how long'));
  const describe = new ContextMenuCommandBuilder().setName(COMMAND.describeImage).setType(ApplicationCommandType.Message).setContexts(...CONTEXTS);
  const askAbout = new ContextMenuCommandBuilder().setName(COMMAND.askAboutImage).setType(ApplicationCommandType.Message).setContexts(...CONTEXTS);
  return [caption, ask, glance, describe, askAbout].map((builder) => builder.toJSON());
}
