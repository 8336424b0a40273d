/** What every Discord listener and command handler works with (adapters/shared/chat-adapter-context.ts). */
import type { ChatAdapterContext } from '../shared/chat-adapter-context.ts';

export const PLATFORM = 'discord';

/** `download`: the attachment's bytes (allow-listed host, size limit, sniffed), see attachment-download.ts. */
export type DiscordAdapterContext = ChatAdapterContext;
