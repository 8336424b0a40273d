/** What every Discord listener and command handler works with. */
import type { ServiceConfig } from '../../src/config/service-config.ts';
import type { ConversationManager } from '../../src/conversation/conversation-manager.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GlanceService } from '../../src/service/glance-service.ts';
import type { SettingsStore } from '../../src/settings/settings-store.ts';
import type { UserWorkQueue } from '../shared/user-work-queue.ts';

export const PLATFORM = 'discord';

export interface DiscordAdapterContext {
  service: Pick<GlanceService, 'run'>;
  config: ServiceConfig;
  settings: SettingsStore;
  conversations: ConversationManager;
  queue: UserWorkQueue;
  log?: Logger;
  /** The attachment's bytes (allow-listed host, size limit, sniffed), see attachment-download.ts. */
  download: (url: string) => Promise<Uint8Array>;
}
