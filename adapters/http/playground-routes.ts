/**
 * The playground page: the static files of adapters/http/public (vanilla HTML, CSS, JS modules; no build step). The page
 * carries the server's limits where it needs them: `{{MAX_QUESTION_CHARS}}` in index.html becomes the configured
 * question limit (GLANCE_MAX_QUESTION_CHARS), so the question box refuses what the server would,
 * `{{MAX_NEW_TOKENS}}` the answer length limit (GLANCE_MAX_NEW_TOKENS; `{{DEFAULT_NEW_TOKENS}}`, the field's starting
 * value, is the engine's default 30 or that limit if lower) and `{{MAX_IMAGE_BYTES}}` the body limit
 * (GLANCE_HTTP_BODY_LIMIT_MB), so a larger file is refused before it is sent. `{{MODEL_BANNER}}` says which model is
 * served (playground-model.ts).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MAX_NEW_TOKENS } from '../../engine/generation/generation-options.ts';
import { modelBannerHtml, type PlaygroundModel } from './playground-model.ts';

const SCRIPTS = ['playground.js', 'stream-request.js', 'question-box.js', 'display-text.js', 'progress-line.js', 'conversation.js', 'alt-text-view.js', 'image-sources.js', 'request-details.js'];

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  ...Object.fromEntries(SCRIPTS.map((file) => [`/${file}`, { file, type: 'text/javascript; charset=utf-8' }])),
  '/playground.css': { file: 'playground.css', type: 'text/css; charset=utf-8' },
};

/** The page loads only its own script and style; images shown are the user's own (blob: URLs). */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface PlaygroundLimits {
  maxQuestionChars: number;
  maxNewTokens: number;
  maxImageBytes: number;
}

function fill(text: string, limits: PlaygroundLimits, model: PlaygroundModel): string {
  return text
    .replaceAll('{{MODEL_BANNER}}', modelBannerHtml(model))
    .replaceAll('{{MAX_IMAGE_BYTES}}', String(limits.maxImageBytes))
    .replaceAll('{{MAX_QUESTION_CHARS}}', String(limits.maxQuestionChars))
    .replaceAll('{{MAX_NEW_TOKENS}}', String(limits.maxNewTokens))
    .replaceAll('{{DEFAULT_NEW_TOKENS}}', String(Math.min(DEFAULT_MAX_NEW_TOKENS, limits.maxNewTokens)));
}

export function registerPlaygroundRoutes(app: FastifyInstance, limits: PlaygroundLimits, model: PlaygroundModel): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    const body = fill(readFileSync(new URL(`./public/${file}`, import.meta.url), 'utf8'), limits, model);
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
