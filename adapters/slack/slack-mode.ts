/**
 * How the Slack adapter connects, from the configuration: Socket Mode when SLACK_APP_TOKEN is set (no public URL
 * needed), otherwise HTTP mode (Slack POSTs events, commands and shortcuts to `/slack/events` on SLACK_PORT, signed
 * with SLACK_SIGNING_SECRET). Every other combination is refused with CONFIG_INVALID naming the variables, so no
 * setting is silently unused.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import type { ServiceConfig } from '../../src/config/service-config.ts';

export type SlackMode =
  | { mode: 'socket'; botToken: string; appToken: string }
  | { mode: 'http'; botToken: string; signingSecret: string; port: number };

function refuse(message: string, variables: string[]): never {
  throw new GlanceError(ErrorCode.ConfigInvalid, message, { variables });
}

export function slackMode(config: Pick<ServiceConfig, 'slackBotToken' | 'slackAppToken' | 'slackSigningSecret' | 'slack'>): SlackMode {
  const { slackBotToken: botToken, slackAppToken: appToken, slackSigningSecret: signingSecret } = config;
  const port = config.slack.port;
  if (!botToken) refuse('The Slack adapter needs SLACK_BOT_TOKEN (the xoxb-… bot token from the app’s "OAuth & Permissions" page).', ['SLACK_BOT_TOKEN']);
  if (!botToken.startsWith('xoxb-')) refuse('SLACK_BOT_TOKEN must be a bot token (it starts with xoxb-); user (xoxp-) and app-level (xapp-) tokens do not work there.', ['SLACK_BOT_TOKEN']);
  if (appToken) {
    if (!appToken.startsWith('xapp-')) refuse('SLACK_APP_TOKEN must be an app-level token (it starts with xapp-, made under "Basic Information" with the connections:write scope).', ['SLACK_APP_TOKEN']);
    const extra = [...(signingSecret ? ['SLACK_SIGNING_SECRET'] : []), ...(port !== undefined ? ['SLACK_PORT'] : [])];
    if (extra.length > 0) {
      refuse(`SLACK_APP_TOKEN selects Socket Mode, where ${extra.join(' and ')} ${extra.length > 1 ? 'are' : 'is'} not used: unset ${extra.join(' and ')} for Socket Mode, or unset SLACK_APP_TOKEN for HTTP mode.`, ['SLACK_APP_TOKEN', ...extra]);
    }
    return { mode: 'socket', botToken, appToken };
  }
  const missing = [...(signingSecret ? [] : ['SLACK_SIGNING_SECRET']), ...(port === undefined ? ['SLACK_PORT'] : [])];
  if (missing.length > 0) {
    refuse(`The Slack adapter needs SLACK_APP_TOKEN (Socket Mode) or both SLACK_SIGNING_SECRET and SLACK_PORT (HTTP mode); ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing.`, ['SLACK_APP_TOKEN', ...missing]);
  }
  return { mode: 'http', botToken, signingSecret: signingSecret!, port: port! };
}
