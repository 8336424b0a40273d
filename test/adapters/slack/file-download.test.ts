// The Slack file download guard against a real local HTTP server.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlanceError } from '../../../engine/errors.ts';
import { checkFileUrl, downloadSlackFile, MISSING_FILES_READ_MESSAGE, type SlackDownloadPolicy } from '../../../adapters/slack/file-download.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const TOKEN = 'xoxb-test';
let server: Server;
let host: string;
const seen: { path: string; authorization?: string }[] = [];

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/image.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG),
  '/login-redirect': (_req, res) => res.writeHead(302, { location: '/login', 'content-type': 'text/html' }).end('<html>sign in</html>'),
  '/login-page': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html>sign in</html>'),
  '/html-as-png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('<!DOCTYPE html><html>sign in</html>'),
  '/text.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('just text'),
  '/empty.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(),
  '/big-declared.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'content-length': '5000' }).end(Buffer.alloc(5000)),
  '/big-streamed.png': (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(PNG);
    res.write(Buffer.alloc(3000));
    res.end(Buffer.alloc(3000));
  },
  '/gone.png': (_req, res) => res.writeHead(404).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const policy = (): SlackDownloadPolicy => ({ fileHosts: [host], botToken: TOKEN, maxBytes: 4096, timeoutMs: 5000 });

async function codeOf(path: string, over: Partial<SlackDownloadPolicy> = {}): Promise<GlanceError> {
  try {
    await downloadSlackFile(`http://${host}${path}`, { ...policy(), ...over });
  } catch (error) {
    return error as GlanceError;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe('downloadSlackFile', () => {
  it('downloads an image with the bot token and sniffs it', async () => {
    const bytes = await downloadSlackFile(`http://${host}/image.png`, policy());
    expect(Buffer.from(bytes).equals(PNG)).toBe(true);
    expect(seen.find((r) => r.path === '/image.png')?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a redirect to the login page, or the HTML page itself, means the files:read scope is missing', async () => {
    for (const path of ['/login-redirect', '/login-page', '/html-as-png']) {
      const error = await codeOf(path);
      expect(error.code).toBe('REMOTE_IMAGE_REFUSED');
      expect(error.message).toBe(MISSING_FILES_READ_MESSAGE);
    }
    expect(seen.some((r) => r.path === '/login')).toBe(false); // the redirect was not followed
  });

  it('refuses what is not an image, empty files, too-large files (declared and streamed) and failed downloads', async () => {
    expect((await codeOf('/text.png')).code).toBe('IMAGE_UNSUPPORTED');
    expect((await codeOf('/empty.png')).code).toBe('IMAGE_EMPTY');
    expect((await codeOf('/big-declared.png')).code).toBe('IMAGE_TOO_LARGE');
    expect((await codeOf('/big-streamed.png')).code).toBe('IMAGE_TOO_LARGE');
    expect((await codeOf('/gone.png')).code).toBe('IMAGE_CORRUPT');
  });

  it('sends the token only to allow-listed hosts, over https (or http on loopback)', async () => {
    const before = seen.length;
    expect((await codeOf('/image.png', { fileHosts: ['files.slack.com'] })).code).toBe('REMOTE_IMAGE_REFUSED');
    expect(seen.length).toBe(before);
    expect(() => checkFileUrl('http://files.slack.com/x', ['files.slack.com'])).toThrow(/https only/);
    expect(() => checkFileUrl('not a url', ['files.slack.com'])).toThrow(/no valid download link/);
    expect(checkFileUrl('https://files.slack.com/x', ['files.slack.com']).host).toBe('files.slack.com');
  });
});
