/**
 * The playground page: the static files of adapters/http/public (vanilla HTML, CSS, JS modules; no build step). The page
 * carries the server's limits where it needs them: `{{MAX_QUESTION_CHARS}}` in index.html becomes the configured
 * question limit (GLANCE_MAX_QUESTION_CHARS), so the question box refuses what the server would, and
 * `{{MAX_NEW_TOKENS}}` the answer length limit (GLANCE_MAX_NEW_TOKENS; `{{DEFAULT_NEW_TOKENS}}`, the field's starting
 * value, is the engine's default 30 or that limit if lower).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MAX_NEW_TOKENS } from '../../engine/generation/generation-options.ts';

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/playground.js': { file: 'playground.js', type: 'text/javascript; charset=utf-8' },
  '/stream-request.js': { file: 'stream-request.js', type: 'text/javascript; charset=utf-8' },
  '/question-box.js': { file: 'question-box.js', type: 'text/javascript; charset=utf-8' },
  '/playground.css': { file: 'playground.css', type: 'text/css; charset=utf-8' },
};

/** The page loads only its own script and style; images shown are the user's own (blob: URLs). */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface PlaygroundLimits {
  maxQuestionChars: number;
  maxNewTokens: number;
}

function fill(text: string, limits: PlaygroundLimits): string {
  return text
    .replaceAll('{{MAX_QUESTION_CHARS}}', String(limits.maxQuestionChars))
    .replaceAll('{{MAX_NEW_TOKENS}}', String(limits.maxNewTokens))
    .replaceAll('{{DEFAULT_NEW_TOKENS}}', String(Math.min(DEFAULT_MAX_NEW_TOKENS, limits.maxNewTokens)));
}

export function registerPlaygroundRoutes(app: FastifyInstance, limits: PlaygroundLimits): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    const body = fill(readFileSync(new URL(`./public/${file}`, import.meta.url), 'utf8'), limits);
    app.get(path, async (_request, reply) =>
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .send(body),
    );
  }
}
