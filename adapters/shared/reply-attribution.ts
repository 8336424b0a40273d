/**
 * What a chat reply is and the attribution it starts with, on every platform: first and short ("Alt text
 * (glance): …"), so screen-reader users can skip it.
 */
export type ReplyKind = 'alt-text' | 'caption' | 'answer';

export const ATTRIBUTION: Record<ReplyKind, string> = {
  'alt-text': 'Alt text (glance)',
  caption: 'Caption (glance)',
  answer: 'Answer (glance)',
};
