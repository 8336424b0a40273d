/**
 * The service configuration with command-line flags winning over the environment and `.env`. A flag's value is
 * validated as its variable's, so a bad one is CONFIG_INVALID; the message names the flag the user typed beside the
 * variable (`--port (GLANCE_HTTP_PORT) must be at most 65535`), not only a variable they never set.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config.ts';

/** One flag: its name as typed (`--port`), the variable it sets, and its value (undefined: not given). */
export type FlagSetting = readonly [flag: string, variable: string, value: string | undefined];

export function loadConfigWithFlags(flags: readonly FlagSetting[]): ServiceConfig {
  const given = flags.filter(([, , value]) => value !== undefined);
  const overrides = Object.fromEntries(given.map(([, variable, value]) => [variable, value as string]));
  try {
    return loadServiceConfig({ overrides });
  } catch (error) {
    if (!(error instanceof GlanceError) || error.code !== ErrorCode.ConfigInvalid) throw error;
    let message = error.message;
    for (const [flag, variable] of given) message = message.replace(new RegExp(`(?<![A-Z0-9_])${variable}(?![A-Z0-9_])`, 'g'), `${flag} (${variable})`);
    if (message === error.message) throw error;
    throw new GlanceError(error.code, message, error.details, { cause: error });
  }
}
