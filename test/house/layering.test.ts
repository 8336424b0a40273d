// The dependency direction of docs/layout.md: cli → adapters → src → engine. Each folder's relative imports (static
// and dynamic) may only reach the folders below it; engine/bundle (the bundle format) does not reach the converter.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') || name.endsWith('.js'))
    .map((name) => join(dir, name));
}

/** The repository-relative paths a file imports with relative specifiers. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

function violations(dir: string, forbidden: string[]): string[] {
  return sources(dir).flatMap((file) => importsOf(file).filter((target) => forbidden.some((folder) => target.startsWith(`${folder}/`))).map((target) => `${file} → ${target}`));
}

describe('layering', () => {
  it('engine/ imports nothing from src/, adapters/ or cli/', () => {
    expect(violations('engine', ['src', 'adapters', 'cli'])).toEqual([]);
  });

  it('src/ (the platform-free core) imports no adapter and no command', () => {
    expect(violations('src', ['adapters', 'cli'])).toEqual([]);
  });

  it('adapters/ import no command', () => {
    expect(violations('adapters', ['cli'])).toEqual([]);
  });

  it('engine/bundle (the bundle format) does not import the converter', () => {
    expect(violations('engine/bundle', ['engine/convert'])).toEqual([]);
  });

  it('finds imports, static and dynamic', () => {
    expect(importsOf('cli/start-command.ts')).toContain('adapters/http/http-adapter.ts');
    expect(importsOf('cli/main.ts')).toContain('cli/run-generation.ts');
  });
});
