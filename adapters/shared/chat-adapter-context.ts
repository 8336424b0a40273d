/**
 * What both chat adapters (Discord, Slack) start from and what their listeners and commands work with: the core's
 * service, configuration, settings store and conversation memory, the per-user work queue, and a guarded download
 * of the platform's image links.
 */
import type { ServiceConfig } from '../../src/config/service-config.ts';
import type { ConversationManager } from '../../src/conversation/conversation-manager.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GlanceService } from '../../src/service/glance-service.ts';
import type { SettingsStore } from '../../src/settings/settings-store.ts';
import { UserWorkQueue } from './user-work-queue.ts';

/** What `glance start` hands to a chat adapter. */
export interface ChatAdapterOptions {
  service: Pick<GlanceService, 'run'>;
  config: ServiceConfig;
  settings: SettingsStore;
  conversations: ConversationManager;
  log?: Logger;
}

export interface ChatAdapterContext extends ChatAdapterOptions {
  queue: UserWorkQueue;
  /** An image link's bytes: allow-listed host, size limit, sniffed (each platform's download guard). */
  download: (url: string) => Promise<Uint8Array>;
}

/** The context of one started adapter: its options, a fresh per-user work queue, and its platform's download. */
export function chatAdapterContext(options: ChatAdapterOptions, download: ChatAdapterContext['download']): ChatAdapterContext {
  return {
    service: options.service,
    config: options.config,
    settings: options.settings,
    conversations: options.conversations,
    queue: new UserWorkQueue(),
    log: options.log,
    download,
  };
}
