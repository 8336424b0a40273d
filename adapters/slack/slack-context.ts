/** What every Slack listener and command handler works with. */
import type { webApi } from '@slack/bolt';
import type { ServiceConfig } from '../../src/config/service-config.ts';
import type { ConversationManager } from '../../src/conversation/conversation-manager.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GlanceService } from '../../src/service/glance-service.ts';
import type { SettingsStore } from '../../src/settings/settings-store.ts';
import type { UserWorkQueue } from '../shared/user-work-queue.ts';

export const PLATFORM = 'slack';

export interface SlackAdapterContext {
  service: Pick<GlanceService, 'run'>;
  config: ServiceConfig;
  settings: SettingsStore;
  conversations: ConversationManager;
  queue: UserWorkQueue;
  log?: Logger;
  /** The Web API client with the bot token (the app's own client). */
  client: webApi.WebClient;
  /** The bot's user id (from auth.test), to find and strip its mention. */
  botUserId: string;
  /** The workspace id from auth.test (events carry their own; this is the fallback). */
  teamId: string;
  /** A file's bytes (allow-listed host, bot token, size limit, sniffed), see file-download.ts. */
  download: (url: string) => Promise<Uint8Array>;
}
