/** `glance discord register [--guild ID]`: registers glance's Discord commands, prints what was registered and the invite URL. */
import { inviteUrl } from '../adapters/discord/invite-url.ts';
import { registerCommands } from '../adapters/discord/register-commands.ts';
import { loadConfigWithFlags } from './flag-config.ts';

export async function runDiscordRegister(flags: { guild?: string }): Promise<void> {
  const config = loadConfigWithFlags([]);
  const result = await registerCommands(config, { guildId: flags.guild });
  const where = result.guildId ? `in server ${result.guildId} (available now)` : 'globally (may take up to an hour to appear everywhere)';
  process.stdout.write(`glance: registered ${result.commands.length} Discord commands for application ${result.applicationId} ${where}:\n`);
  for (const command of result.commands) {
    const kind = command.type === 3 ? 'message menu' : command.type === 2 ? 'user menu' : 'slash';
    process.stdout.write(`  ${kind === 'slash' ? `/${command.name}` : `"${command.name}"`} (${kind}, id ${command.id})\n`);
  }
  process.stdout.write(`Add glance to a server (scopes and permissions it needs): ${inviteUrl(result.applicationId)}\n`);
}
