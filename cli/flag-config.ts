/**
 * The service configuration with command-line flags winning over the environment and `.env`. A flag's value is
 * validated as its variable's, so a bad one is CONFIG_INVALID; the message names the flag the user typed beside the
 * variable (`--port (GLANCE_HTTP_PORT) must be at most 65535`), not only a variable they never set.
 */
import { ErrorCode, GlanceError, withRenamedTerms } from '../engine/errors.ts';
import { loadServiceConfig, type ServiceConfig } from '../src/config/service-config.ts';

/** One flag: its name as typed (`--port`), the variable it sets, and its value (undefined: not given). */
export type FlagSetting = readonly [flag: string, variable: string, value: string | undefined];

/** A configuration warning (an unknown DISCORD_* / SLACK_* variable), printed once on stderr for the person at the terminal. */
export function printConfigWarning(message: string): void {
  process.stderr.write(`glance: warning: ${message}\n`);
}

export function loadConfigWithFlags(flags: readonly FlagSetting[]): ServiceConfig {
  const given = flags.filter(([, , value]) => value !== undefined);
  const overrides = Object.fromEntries(given.map(([, variable, value]) => [variable, value as string]));
  try {
    return loadServiceConfig({ overrides, onWarning: printConfigWarning });
  } catch (error) {
    if (!(error instanceof GlanceError) || error.code !== ErrorCode.ConfigInvalid) throw error;
    throw withRenamedTerms(error, Object.fromEntries(given.map(([flag, variable]) => [variable, `${flag} (${variable})`])));
  }
}
