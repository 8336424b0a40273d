/**
 * The conversation a Slack message belongs to: platform 'slack', the workspace (team id), the channel, and for a
 * thread reply the thread's root `ts` (a thread's root message lives in the channel, where the conversation
 * manager finds it by that ts).
 */
import type { ConversationKey } from '../../src/conversation/conversation-manager.ts';
import { PLATFORM } from './slack-context.ts';

export function conversationKey(team: string, channel: string, threadTs?: string): ConversationKey {
  return threadTs ? { platform: PLATFORM, workspace: team, channel, thread: threadTs } : { platform: PLATFORM, workspace: team, channel };
}

/** The thread a reply to `message` goes to: its thread, or the thread it starts. */
export function replyThread(message: { ts: string; threadTs?: string }): string {
  return message.threadTs ?? message.ts;
}

/** Slack's message ts ("1700000000.000100") in ms since the epoch. */
export function tsToMs(ts: string): number {
  const value = Number(ts) * 1000;
  return Number.isFinite(value) ? value : 0;
}
