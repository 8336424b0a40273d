import { describe, expect, it } from 'vitest';
import { fitSlackText, formatPartial, formatReply, slackEscape, SLACK_TEXT_LIMIT } from '../../../adapters/slack/reply-format.ts';
import { mentions, parseMessage, questionText } from '../../../adapters/slack/event-fields.ts';

describe('Slack reply formatting', () => {
  it('puts a short attribution first; one image = one line', () => {
    expect(formatReply({ kind: 'alt-text', outcomes: [{ name: 'a.png', text: ' a cat  on a mat ' }] })).toBe('Alt text (glance): a cat on a mat');
    expect(formatReply({ kind: 'answer', outcomes: [{ name: 'a.png', text: 'two' }] })).toBe('Answer (glance): two');
  });

  it('numbers several images with their names, reports unreadable ones and names the skipped ones', () => {
    const text = formatReply({
      kind: 'alt-text',
      outcomes: [{ name: 'a.png', text: 'a cat' }, { name: 'b.txt', error: 'The file is not an image.' }],
      skipped: ['c.png', 'd.png'],
      limit: 2,
    });
    expect(text).toBe('Alt text (glance):\n1. a.png: a cat\n2. b.txt: (could not be read: The file is not an image.)\nNot described (at most 2 images per message): c.png, d.png.');
  });

  it('escapes generated text so it cannot ping or link, and fits Slack’s length', () => {
    expect(slackEscape('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(formatReply({ kind: 'caption', outcomes: [{ name: 'x', text: '<!here>' }] })).toBe('Caption (glance): &lt;!here&gt;');
    const long = fitSlackText('x'.repeat(SLACK_TEXT_LIMIT + 10));
    expect(long).toHaveLength(SLACK_TEXT_LIMIT);
    expect(long.endsWith('…')).toBe(true);
    expect(formatPartial('answer', 'a b')).toBe('Answer (glance): a b …');
  });
});

describe('Slack event fields', () => {
  it('reads a message, dropping malformed files; a thread root is not in its own thread', () => {
    const message = parseMessage({ channel: 'C1', user: 'U1', ts: '1.2', thread_ts: '1.2', text: 'hi', files: [{ id: 'F1', name: 'a.png', url_private: 'https://files.slack.com/a' }, 'junk', { name: 'no id' }, { id: 'F2', file_access: 'check_file_info' }] });
    expect(message?.threadTs).toBeUndefined();
    expect(message?.files.map((file) => [file.id, file.idOnly])).toEqual([['F1', false], ['F2', true]]);
    expect(parseMessage({ channel: 'C1', ts: '1.2' })).toBeUndefined();
    expect(parseMessage('nonsense')).toBeUndefined();
    expect(parseMessage(null)).toBeUndefined();
  });

  it('takes the mention out of the question and unescapes Slack’s entities', () => {
    expect(questionText('<@U0BOT> what is &lt;this&gt; &amp; that?', 'U0BOT')).toBe('what is <this> & that?');
    expect(questionText('<@U0BOT|glance>', 'U0BOT')).toBe('');
    expect(mentions('hey <@U0BOT>', 'U0BOT')).toBe(true);
    expect(mentions('hey <@U0BOTX>', 'U0BOT')).toBe(false);
  });
});
