/**
 * Reads a request body as Discord's API accepts it: JSON, or multipart/form-data whose `payload_json` part holds the
 * JSON and whose `files[n]` parts hold uploads.
 */
import type { IncomingMessage } from 'node:http';

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType?: string;
  bytes: Buffer;
}

export interface ParsedBody {
  /** Parsed JSON (for multipart: payload_json plus `files: {name, size, contentType}[]`); undefined when empty. */
  body: any;
  files: UploadedFile[];
  /** Set when the body could not be read as its content type says. */
  error?: string;
}

export async function readRaw(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return parseMultipart(raw, contentType ?? '');
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    return { body: raw.toString('utf8'), files: [], error: `the body is not JSON (content-type ${contentType ?? 'none'})` };
  }
}

interface Part {
  headers: Record<string, string>;
  data: Buffer;
}

function parseMultipart(raw: Buffer, contentType: string): ParsedBody {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundaryMatch) return { body: undefined, files: [], error: 'multipart body without a boundary' };
  const boundary = Buffer.from(`--${boundaryMatch[1] ?? boundaryMatch[2]}`);
  const parts: Part[] = [];
  let start = raw.indexOf(boundary);
  while (start !== -1) {
    const afterBoundary = start + boundary.length;
    if (raw.subarray(afterBoundary, afterBoundary + 2).toString() === '--') break;
    const headerEnd = raw.indexOf('\r\n\r\n', afterBoundary);
    const next = raw.indexOf(boundary, afterBoundary);
    if (headerEnd === -1 || next === -1) break;
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(afterBoundary + 2, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, data: raw.subarray(headerEnd + 4, next - 2) });
    start = next;
  }
  let body: any = {};
  const files: UploadedFile[] = [];
  for (const part of parts) {
    const disposition = part.headers['content-disposition'] ?? '';
    const field = /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    if (field === 'payload_json') {
      try {
        body = JSON.parse(part.data.toString('utf8'));
      } catch {
        return { body: undefined, files: [], error: 'payload_json is not JSON' };
      }
    } else if (filename !== undefined) {
      files.push({ field, name: filename, size: part.data.length, contentType: part.headers['content-type'], bytes: Buffer.from(part.data) });
    } else {
      body[field] = part.data.toString('utf8');
    }
  }
  body.files = files.map(({ name, size, contentType: type }) => ({ name, size, contentType: type }));
  return { body, files };
}
