/**
 * The fake Discord's interactions with the real discord.js client: command registration (and Discord's validation),
 * ephemeral replies and follow-ups, withResponse, a second acknowledgement refused, slash commands in DMs and with
 * subcommands, and modals built from labels.
 */
import { type ChatInputCommandInteraction, Client, DiscordAPIError, Events, type Interaction, LabelBuilder, MessageFlags, ModalBuilder, TextInputBuilder, TextInputStyle } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { ALL_INTENTS, useFakeDiscord } from './discord-client.ts';
import { FakeDiscord } from './fake-discord.ts';

const ALICE = { id: '5001', username: 'alice' };
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

const { fake, connect } = useFakeDiscord();

/** Runs `handler` on the next interaction and resolves with what it returned (or threw). */
function onNextInteraction<T>(client: Client, handler: (interaction: Interaction) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => client.once(Events.InteractionCreate, (interaction) => handler(interaction).then(resolve, reject)));
}

describe('fake Discord interactions', () => {
  it('registers global and guild commands (ids echoed, kept on re-registration) and refuses an invalid name with 50035', async () => {
    const client = await connect();
    const commands = [
      { name: 'caption', description: 'Describe an image', options: [{ name: 'image', description: 'The image', type: 11, required: true }] },
      { name: 'Describe image', type: 3 },
    ];
    const first = await client.application!.commands.set(commands);
    const again = await client.application!.commands.set(commands);
    expect([...again.keys()]).toEqual([...first.keys()]);
    expect(fake().registeredCommands().map((command) => [command.name, command.type])).toEqual([['caption', 1], ['Describe image', 3]]);
    await client.application!.commands.set([{ name: 'ask', description: 'Ask' }], fake().guildId);
    expect(fake().registeredCommands(fake().guildId).map((command) => command.name)).toEqual(['ask']);
    const refused = await client.application!.commands.set([{ name: 'Caption', description: 'x' }]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect((refused as DiscordAPIError).code).toBe(50035);
    const { token } = await fake().slashCommand({ name: 'caption', channelId: '4001', user: ALICE });
    const interaction = await onNextInteraction(client, async (received) => received);
    expect(interaction.isChatInputCommand() && interaction.commandId).toBe(fake().registeredCommands()[0].id);
    expect(fake().interactionResponses(token)).toEqual([]);
  });

  it('records an ephemeral reply and follow-up; a second acknowledgement gets 40060; withResponse returns the message', async () => {
    const client = await connect();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a slash command');
      const response = await interaction.reply({ content: 'only you', flags: MessageFlags.Ephemeral, withResponse: true });
      await interaction.followUp({ content: 'more', flags: MessageFlags.Ephemeral });
      const second = await client.rest
        .post(`/interactions/${interaction.id}/${interaction.token}/callback`, { body: { type: 4, data: { content: 'again' } }, auth: false })
        .catch((error: unknown) => error);
      return { message: response.resource?.message?.content, second };
    });
    const { token } = await fake().slashCommand({ name: 'privacy', channelId: '4001', user: ALICE });
    const { message, second } = await handled;
    expect(message).toBe('only you');
    expect((second as DiscordAPIError).code).toBe(40060);
    expect(fake().interactionResponses(token)).toMatchObject([
      { kind: 'callback', type: 4, data: { content: 'only you', flags: MessageFlags.Ephemeral } },
      { kind: 'followup', data: { content: 'more', flags: MessageFlags.Ephemeral } },
    ]);
    expect(fake().botMessages('4001')).toEqual([]);
  });

  it('a slash command in a DM comes with the user (no member); an attachment option lands inside the subcommand', async () => {
    const client = await connect();
    const handled = onNextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a slash command');
      const summary = { guild: interaction.inGuild(), user: interaction.user.id, sub: interaction.options.getSubcommand(), image: interaction.options.getAttachment('image')?.name };
      await interaction.reply('ok');
      return summary;
    });
    await fake().slashCommand({
      name: 'glance',
      channelId: '6001',
      guildId: null,
      user: ALICE,
      options: [{ name: 'describe', type: 1, options: [] }],
      attachments: { image: { filename: 'dm.png', bytes: PNG, contentType: 'image/png' } },
    });
    expect(await handled).toEqual({ guild: false, user: ALICE.id, sub: 'describe', image: 'dm.png' });
  });

  it('mirrors a label-built modal in the submission, and memberPermissions reach interaction.memberPermissions', async () => {
    const client = await connect();
    const shown = onNextInteraction(client, async (interaction) => {
      if (!interaction.isMessageContextMenuCommand()) throw new Error('expected a message command');
      const input = new TextInputBuilder().setCustomId('question').setStyle(TextInputStyle.Paragraph);
      await interaction.showModal(new ModalBuilder().setCustomId('ask').setTitle('Ask about image').addLabelComponents(new LabelBuilder().setLabel('Your question').setTextInputComponent(input)));
      return interaction.memberPermissions?.has('ManageChannels');
    });
    const target = await fake().postMessage({ channelId: '4001', author: ALICE, content: 'pic' });
    await fake().messageCommand({ name: 'Ask about image', channelId: '4001', user: ALICE, targetMessageId: target.id, memberPermissions: 0n });
    expect(await shown).toBe(false);
    const submitted = onNextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
      await interaction.deferReply();
      return interaction.fields.getTextInputValue('question');
    });
    await fake().modalSubmit({ customId: 'ask', channelId: '4001', user: ALICE, values: { question: 'what colour?' } });
    expect(await submitted).toBe('what colour?');
    await expect(fake().modalSubmit({ customId: 'ask', channelId: '4001', user: ALICE, values: { other: 'x' } })).rejects.toThrow(/no text input other/);
  });
});

describe('fake Discord interaction deadline', () => {
  it('answers a first response later than the deadline (Discord: 3 s) with 404 10062 Unknown interaction', async () => {
    const late = await FakeDiscord.start({ interactionDeadlineMs: 1 });
    const client = new Client({ intents: ALL_INTENTS, rest: { api: late.apiUrl } });
    try {
      const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
      await client.login(late.token);
      await ready;
      const handled = onNextInteraction(client, async (interaction) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return (interaction as ChatInputCommandInteraction).deferReply().catch((error: unknown) => error);
      });
      const { token } = await late.slashCommand({ name: 'caption', channelId: '4001', user: ALICE });
      expect(((await handled) as DiscordAPIError).code).toBe(10062);
      expect(late.interactionResponses(token)).toEqual([]);
    } finally {
      await client.destroy();
      await late.close();
    }
  });
});
