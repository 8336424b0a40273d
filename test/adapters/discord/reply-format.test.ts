import { describe, expect, it } from 'vitest';
import { DISCORD_MESSAGE_LIMIT, fitMessage, formatPartial, formatReply } from '../../../adapters/discord/reply-format.ts';

describe('reply formatting', () => {
  it('puts the attribution first, on one line for one image', () => {
    expect(formatReply({ kind: 'alt-text', outcomes: [{ name: 'a.png', spoiler: false, text: 'a cat on a sofa' }] })).toBe('Alt text (glance): a cat on a sofa');
    expect(formatReply({ kind: 'answer', outcomes: [{ name: 'a.png', spoiler: false, text: 'blue' }] })).toBe('Answer (glance): blue');
  });

  it('numbers one line per image when there are several, spoilers the text of spoilered images, names the skipped ones', () => {
    const text = formatReply({
      kind: 'alt-text',
      outcomes: [
        { name: 'a.png', spoiler: false, text: 'a cat' },
        { name: 'SPOILER_b.png', spoiler: true, text: 'the ending' },
        { name: 'c.png', spoiler: false, error: 'The file is empty (0 bytes).' },
      ],
      skipped: ['d.png', 'e.png'],
      limit: 3,
    });
    expect(text).toBe(
      'Alt text (glance):\n1. a cat\n2. ||the ending||\n3. (could not be read: The file is empty (0 bytes).)\nNot described (at most 3 images per message): d.png, e.png.',
    );
  });

  it('keeps the skipped images named when long answers are cut to 2000 characters', () => {
    const outcomes = [1, 2, 3, 4].map((n) => ({ name: `${n}.png`, spoiler: false, text: 'word '.repeat(200) }));
    const text = formatReply({ kind: 'answer', outcomes, skipped: ['5.png', '6.png'], limit: 4 });
    expect(text.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(text.endsWith('…\nNot described (at most 4 images per message): 5.png, 6.png.')).toBe(true);
    expect(text.startsWith('Answer (glance):\n1. word word')).toBe(true);
  });

  it('keeps generated text from breaking the spoiler markup or pinging everyone', () => {
    const text = formatReply({ kind: 'alt-text', outcomes: [{ name: 'SPOILER_x.png', spoiler: true, text: 'a || b @everyone' }] });
    expect(text).toBe('Alt text (glance): ||a | | b @\u200beveryone||');
  });

  it('fits Discord’s 2000 characters, closing an open spoiler', () => {
    const long = formatReply({ kind: 'caption', outcomes: [{ name: 'SPOILER_x.png', spoiler: true, text: 'word '.repeat(1000) }] });
    expect(long.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(long.endsWith('||…')).toBe(true);
    expect(fitMessage('short')).toBe('short');
    expect(formatPartial('answer', 'so far', false)).toBe('Answer (glance): so far …');
  });
});
