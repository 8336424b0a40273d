/**
 * The Bolt App for a mode: Socket Mode (app token; `apps.connections.open` also goes to SLACK_API_URL through the
 * installer's client options) or the HTTP receiver (`/slack/events`, signatures and the 5-minute timestamp window
 * checked by Bolt). The bot identity comes from our own auth.test, so Bolt does not call it again.
 */
import { App, HTTPReceiver, SocketModeReceiver, webApi, type Logger as SlackLogger } from '@slack/bolt';
import type { SlackMode } from './slack-mode.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface BotIdentity {
  botUserId: string;
  botId?: string;
  teamId: string;
}

export function webClientOptions(apiUrl: string, logger: SlackLogger): webApi.WebClientOptions {
  // A reply older than a few minutes is useless: retry failed calls for about five minutes at most.
  return { slackApiUrl: apiUrl, logger, retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes };
}

/**
 * A body Bolt cannot process (a malformed event: `event: null`, a body of no known type, …) is logged and
 * acknowledged, so Slack does not retry what will never work; glance's own handlers never throw (their work runs
 * after the ack and reports its own errors).
 */
function malformedHandler(logger: SlackLogger) {
  return (error: unknown) => logger.warn(`a Slack request Bolt could not process was dropped: ${(error as Error)?.message ?? String(error)}`);
}

export function createSlackApp(mode: SlackMode, apiUrl: string, identity: BotIdentity, logger: SlackLogger): App {
  const clientOptions = webClientOptions(apiUrl, logger);
  const dropped = malformedHandler(logger);
  const receiver =
    mode.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: mode.appToken,
          logger,
          installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
          processEventErrorHandler: async ({ error }) => {
            dropped(error);
            return true;
          },
        })
      : new HTTPReceiver({
          signingSecret: mode.signingSecret,
          endpoints: SLACK_EVENTS_PATH,
          processBeforeResponse: false,
          logger,
          processEventErrorHandler: async ({ error, response }) => {
            dropped(error);
            if (!response.headersSent) response.writeHead(200).end();
            return true;
          },
        });
  return new App({
    token: mode.botToken,
    botUserId: identity.botUserId,
    ...(identity.botId ? { botId: identity.botId } : {}),
    tokenVerificationEnabled: false,
    logger,
    clientOptions,
    receiver,
  });
}

/** auth.test with the bot token: who glance is. The adapter turns a bad token into CONFIG_INVALID, no answer into NETWORK_UNREACHABLE. */
export async function authTest(botToken: string, apiUrl: string, logger: SlackLogger): Promise<BotIdentity> {
  const client = new webApi.WebClient(botToken, { slackApiUrl: apiUrl, logger, retryConfig: { retries: 0 } });
  const answer = await client.auth.test();
  if (!answer.user_id || !answer.team_id) throw new Error('auth.test gave no user_id or team_id');
  return { botUserId: answer.user_id, teamId: answer.team_id, ...(answer.bot_id ? { botId: answer.bot_id } : {}) };
}
