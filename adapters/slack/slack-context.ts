/** What every Slack listener and command handler works with. */
import type { webApi } from '@slack/bolt';
import type { ChatAdapterContext } from '../shared/chat-adapter-context.ts';

export const PLATFORM = 'slack';

/** `download`: a file's bytes (allow-listed host, bot token, size limit, sniffed), see file-download.ts. */
export interface SlackAdapterContext extends ChatAdapterContext {
  /** The Web API client with the bot token (the app's own client). */
  client: webApi.WebClient;
  /** The bot's user id (from auth.test), to find and strip its mention. */
  botUserId: string;
  /** The workspace id from auth.test (events carry their own; this is the fallback). */
  teamId: string;
}
