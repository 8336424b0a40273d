import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressAllowList, isNonPublicAddress } from '../../../adapters/http/address-policy.ts';
import { fetchRemoteImage, type RemoteImagePolicy } from '../../../adapters/http/remote-image.ts';
import { decodeBase64Strict, decodeDataUrl } from '../../../adapters/http/image-encoding.ts';

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/image.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
    } else if (request.url === '/to-ipv6-loopback') {
      response.writeHead(302, { location: `http://[::1]:${port}/image.png` }).end();
    } else if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(new Uint8Array(5000));
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function policy(overrides: Partial<RemoteImagePolicy> = {}): RemoteImagePolicy {
  return { allowRemote: true, allowList: new AddressAllowList([]), maxBytes: 1000, timeoutMs: 5000, ...overrides };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a refusal');
}

describe('address policy', () => {
  it('classifies private, loopback, link-local, unique-local and mapped addresses as non-public', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '224.0.0.1']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });

  it('allow-lists host names and CIDR ranges separately', () => {
    const list = new AddressAllowList(['images.internal', '10.0.0.0/8', '::1']);
    expect(list.allowsHost('IMAGES.internal')).toBe(true);
    expect(list.allowsHost('other.internal')).toBe(false);
    expect(list.allowsAddress('10.200.0.1')).toBe(true);
    expect(list.allowsAddress('::ffff:10.0.0.1')).toBe(true);
    expect(list.allowsAddress('11.0.0.1')).toBe(false);
    expect(list.allowsAddress('::1')).toBe(true);
    expect(() => new AddressAllowList(['10.0.0.0/40'])).toThrow(/CIDR/);
  });
});

describe('fetchRemoteImage', () => {
  it('refuses every remote URL when remote images are off', async () => {
    expect(await refusal(fetchRemoteImage('https://example.com/a.png', policy({ allowRemote: false })))).toBe('REMOTE_IMAGE_REFUSED');
  });

  it('refuses loopback, private and link-local hosts even when remote images are on', async () => {
    for (const url of [`http://127.0.0.1:${port}/image.png`, 'http://10.0.0.1/a.png', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/a.png', 'http://[fd00::1]/a.png']) {
      expect(await refusal(fetchRemoteImage(url, policy())), url).toBe('REMOTE_IMAGE_REFUSED');
    }
  });

  it('checks every address a name resolves to', async () => {
    const lookup = async () => ['93.184.216.34', '192.168.0.10'];
    expect(await refusal(fetchRemoteImage('http://mixed.example/a.png', policy({ lookup })))).toBe('REMOTE_IMAGE_REFUSED');
  });

  it('refuses other schemes', async () => {
    expect(await refusal(fetchRemoteImage('file:///etc/passwd', policy()))).toBe('REMOTE_IMAGE_REFUSED');
    expect(await refusal(fetchRemoteImage('not a url', policy()))).toBe('INVALID_INPUT');
  });

  it('fetches from an allow-listed address, with a size limit', async () => {
    const allowList = new AddressAllowList(['127.0.0.0/8']);
    expect(await fetchRemoteImage(`http://127.0.0.1:${port}/image.png`, policy({ allowList }))).toEqual(PNG_BYTES);
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/big`, policy({ allowList })))).toBe('PAYLOAD_TOO_LARGE');
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/missing`, policy({ allowList })))).toBe('INVALID_INPUT');
  });

  it('checks redirect targets too', async () => {
    const allowList = new AddressAllowList(['127.0.0.1']);
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/to-ipv6-loopback`, policy({ allowList })))).toBe('REMOTE_IMAGE_REFUSED');
  });
});

describe('image encodings', () => {
  it('decodes strict base64 and base64 data: URLs', () => {
    expect(decodeBase64Strict(Buffer.from(PNG_BYTES).toString('base64'))).toEqual(PNG_BYTES);
    expect(decodeDataUrl(`data:image/png;base64,${Buffer.from(PNG_BYTES).toString('base64')}`)).toEqual(PNG_BYTES);
  });

  it('refuses malformed base64 and non-base64 data: URLs', () => {
    for (const bad of ['', 'not base64!', 'abcde', 'ab=c']) expect(() => decodeBase64Strict(bad), bad).toThrow(/base64/);
    expect(() => decodeDataUrl('data:image/png,rawbytes')).toThrow(/base64/);
    expect(() => decodeDataUrl('data:image/png;base64')).toThrow(/separating/);
  });
});
