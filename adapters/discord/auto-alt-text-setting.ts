/**
 * Whether automatic alt text is on in a place: the first of `places` (a thread, then its parent channel; see
 * conversation-key.ts → settingChannels) that has a setting of its own decides. A thread nobody set follows its
 * channel; a thread turned on or off keeps that whatever its channel says.
 */
import { PLATFORM, type DiscordAdapterContext } from './adapter-context.ts';

export interface AutoAltTextInForce {
  on: boolean;
  /** The place whose own setting decided; undefined when none of them was ever set (off). */
  decidedBy?: string;
}

export function autoAltTextInForce(context: Pick<DiscordAdapterContext, 'settings'>, places: readonly string[]): AutoAltTextInForce {
  for (const place of places) {
    const own = context.settings.channelAutoAltText(PLATFORM, place);
    if (own !== undefined) return { on: own, decidedBy: place };
  }
  return { on: false };
}
