/**
 * `glance discord register [--guild ID]`: PUTs glance's command definitions to Discord through discord.js REST at
 * DISCORD_API_URL, for one guild (instant; for testing) or globally (may take up to an hour to appear). The
 * application id is DISCORD_APPLICATION_ID, or asked from GET /applications/@me.
 */
import { DiscordAPIError, HTTPError, REST, Routes, type APIApplication, type APIApplicationCommand } from 'discord.js';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { unreachableError } from '../shared/network-failure.ts';
import type { ServiceConfig } from '../../src/config/service-config.ts';
import { commandDefinitions } from './commands/command-definitions.ts';

export interface RegisteredCommands {
  applicationId: string;
  guildId?: string;
  commands: { id: string; name: string; type: number }[];
}

export async function registerCommands(config: ServiceConfig, options: { guildId?: string } = {}): Promise<RegisteredCommands> {
  if (!config.discordToken) throw new GlanceError(ErrorCode.ConfigInvalid, 'Registering the Discord commands needs DISCORD_TOKEN (the bot token from the Developer Portal).');
  if (options.guildId !== undefined && !/^\d{1,25}$/.test(options.guildId)) {
    throw new GlanceError(ErrorCode.InvalidInput, `--guild takes a server id (digits; Developer Mode → right-click the server → Copy Server ID), got "${options.guildId}".`);
  }
  const rest = new REST({ api: config.discord.apiUrl, retries: 1 }).setToken(config.discordToken);
  try {
    const applicationId = config.discord.applicationId ?? ((await rest.get(Routes.currentApplication())) as APIApplication).id;
    const body = commandDefinitions({ maxQuestionChars: config.limits.maxQuestionChars });
    const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
    const registered = (await rest.put(route, { body })) as APIApplicationCommand[];
    return {
      applicationId,
      ...(options.guildId ? { guildId: options.guildId } : {}),
      commands: registered.map((command) => ({ id: command.id, name: command.name, type: command.type })),
    };
  } catch (error) {
    if (error instanceof GlanceError) throw error;
    // Discord answered (DiscordAPIError, HTTPError: a status): the token, the id or the scope is wrong. No answer at
    // all (DNS, refused connection, timeout) is the network's fault, not the token's.
    if (error instanceof DiscordAPIError || error instanceof HTTPError) {
      throw new GlanceError(ErrorCode.ConfigInvalid, `Discord refused the command registration: ${error.message}. Check DISCORD_TOKEN, DISCORD_APPLICATION_ID and the bot's applications.commands scope.`, undefined, { cause: error });
    }
    const where = { what: 'Discord', url: config.discord.apiUrl, variable: 'DISCORD_API_URL', doing: 'to register the commands' };
    const unreachable = unreachableError(error, where);
    if (unreachable) throw unreachable;
    throw new GlanceError(ErrorCode.RuntimeFailure, `Registering the Discord commands failed unexpectedly: ${(error as Error).message}.`, undefined, { cause: error });
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
