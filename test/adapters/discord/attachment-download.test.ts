// The attachment download guard against a local node:http server: allow-listed hosts only, no redirects, the size
// limit before and while reading, and the bytes (not the reported type) decide what the file is.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { downloadAttachment, type DownloadPolicy } from '../../../adapters/discord/attachment-download.ts';
import { sniffImageFormat } from '../../../adapters/shared/image-sniff.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGES } from '../../helpers/fixtures.ts';

const ASTRONAUT = readFileSync(join(IMAGES, 'astronaut.png'));

let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (path.startsWith('/png')) {
      response.writeHead(200, { 'content-type': 'text/plain' }); // lies: the bytes are a PNG
      response.end(ASTRONAUT);
    } else if (path.startsWith('/text-as-png')) {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end('hello, not an image');
    } else if (path.startsWith('/empty')) {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end();
    } else if (path.startsWith('/redirect')) {
      response.writeHead(302, { location: `http://${host}/png` });
      response.end();
    } else if (path.startsWith('/big-declared')) {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(10_000_000) });
      response.end();
    } else if (path.startsWith('/big-chunked')) {
      response.writeHead(200, { 'content-type': 'image/png' }); // no length: the limit applies while reading
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const write = () => {
        while (sent < 40) {
          sent++;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        response.end();
      };
      write();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const policy = (more: Partial<DownloadPolicy> = {}): DownloadPolicy => ({ mediaHosts: [host], maxBytes: 1024 * 1024, timeoutMs: 5000, ...more });

describe('downloadAttachment', () => {
  it('downloads from an allowed host and trusts the bytes, not the content type', async () => {
    const image = await downloadAttachment(`http://${host}/png?ex=1&is=2&hm=3`, policy());
    expect(image.format).toBe('png');
    expect(Buffer.from(image.bytes).equals(ASTRONAUT)).toBe(true);
    await expect(downloadAttachment(`http://${host}/text-as-png`, policy())).rejects.toMatchObject({ code: ErrorCode.ImageUnsupported });
  });

  it('refuses hosts outside DISCORD_MEDIA_HOSTS and other schemes, without fetching', async () => {
    await expect(downloadAttachment(`http://${host}/png`, policy({ mediaHosts: ['cdn.discordapp.com'] }))).rejects.toMatchObject({ code: ErrorCode.RemoteImageRefused });
    await expect(downloadAttachment('file:///etc/passwd', policy())).rejects.toMatchObject({ code: ErrorCode.RemoteImageRefused });
  });

  it('never follows a redirect', async () => {
    await expect(downloadAttachment(`http://${host}/redirect`, policy())).rejects.toMatchObject({ code: ErrorCode.RemoteImageRefused });
  });

  it('enforces the size limit from Content-Length and while reading', async () => {
    await expect(downloadAttachment(`http://${host}/big-declared`, policy())).rejects.toMatchObject({ code: ErrorCode.ImageTooLarge });
    await expect(downloadAttachment(`http://${host}/big-chunked`, policy())).rejects.toMatchObject({ code: ErrorCode.ImageTooLarge });
  });

  it('an empty file is IMAGE_EMPTY; an expired link (404) says to post again', async () => {
    await expect(downloadAttachment(`http://${host}/empty`, policy())).rejects.toMatchObject({ code: ErrorCode.ImageEmpty });
    await expect(downloadAttachment(`http://${host}/gone`, policy())).rejects.toMatchObject({ code: ErrorCode.ImageCorrupt, message: expect.stringMatching(/expired/) });
  });
});

describe('sniffImageFormat', () => {
  it('recognises the formats the engine reads by their signatures', () => {
    expect(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(Buffer.from('GIF89a....'))).toBe('gif');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImageFormat(new Uint8Array([0x49, 0x49, 0x2a, 0x00]))).toBe('tiff');
    expect(sniffImageFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array())).toBeUndefined();
  });
});
