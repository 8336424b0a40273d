// Every relative link in the README and docs/ points at a file of the repository, and every #anchor at a heading of
// that file (GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's id for a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1])));
}

function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/.test(target));
}

describe('documentation links', () => {
  it('slug follows GitHub for the headings we use', () => {
    expect(slug('HTTP mode')).toBe('http-mode');
    expect(slug('`glance start`: run the service')).toBe('glance-start-run-the-service');
    expect(slug('Scopes and what needs them')).toBe('scopes-and-what-needs-them');
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link resolves`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const broken: string[] = [];
      for (const target of links(text)) {
        const [path, anchor] = target.split('#');
        const file = path === '' ? join(ROOT, doc) : join(ROOT, dirname(doc), path);
        if (!existsSync(file)) broken.push(`${target} (no file ${relative(ROOT, file)})`);
        else if (anchor !== undefined && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${target} (no heading #${anchor})`);
      }
      expect(broken).toEqual([]);
    });
  }
});
