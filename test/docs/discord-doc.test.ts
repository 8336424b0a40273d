// docs/discord.md: the invite URL it shows is the one glance uses, and its commands table is one table (a paragraph
// inside it used to split it in two, and Markdown then rendered the second half as text).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inviteUrl } from '../../adapters/discord/invite-url.ts';

const doc = readFileSync(new URL('../../docs/discord.md', import.meta.url), 'utf8');

describe('docs/discord.md', () => {
  it('shows the invite URL glance prints, with its permissions integer explained', () => {
    expect(doc).toContain(inviteUrl('APPLICATION_ID'));
    expect(doc).toContain(`\`${2 ** 10 + 2 ** 11 + 2 ** 16 + 2 ** 38}\` is the sum of those four permission bits`);
  });

  it('lists every command in one unbroken table', () => {
    const section = doc.slice(doc.indexOf('## Commands'), doc.indexOf('\n## ', doc.indexOf('## Commands') + 3));
    const lines = section.split('\n');
    const first = lines.findIndex((line) => line.startsWith('| command |'));
    let last = first;
    while (lines[last + 1]?.startsWith('|')) last++;
    const table = lines.slice(first, last + 1).join('\n');
    for (const command of ['/caption', '/ask', 'Describe image', 'Ask about image', '/glance alt-text', '/glance opt-out', '/glance help']) {
      expect(table).toContain(command);
    }
  });
});
