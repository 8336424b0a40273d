/**
 * Reads requests made to the fake Slack: Web API bodies (form-encoded as @slack/web-api sends them, or JSON; the
 * JSON-valued form fields such as `blocks` read back as objects) and the caller's token.
 */
import type { IncomingMessage } from 'node:http';
import { JSON_FIELDS } from './fake-web-api.ts';

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The arguments of a Web API call: query string, then the form or JSON body. */
export function webApiArgs(raw: Buffer, contentType: string | undefined, query: URLSearchParams): Record<string, any> {
  const args: Record<string, any> = Object.fromEntries(query);
  const type = (contentType ?? '').toLowerCase();
  const text = raw.toString('utf8');
  if (text === '') return args;
  if (type.startsWith('application/json')) {
    const parsed = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON body is not an object');
    return { ...args, ...parsed };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(text)) args[key] = JSON_FIELDS.includes(key) ? parseJsonField(value) : value;
    return args;
  }
  throw new Error(`unsupported content-type ${contentType ?? '(none)'}: send application/x-www-form-urlencoded or application/json`);
}

/** A JSON-encoded form field as an object; the string itself when it is not JSON (the method then answers invalid_*). */
function parseJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The caller's token: `Authorization: Bearer …`, else the `token` argument. */
export function callerToken(request: IncomingMessage, args: Record<string, any>): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer) return bearer;
  return typeof args.token === 'string' && args.token !== '' ? args.token : undefined;
}
