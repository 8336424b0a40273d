import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressAllowList, isNonPublicAddress } from '../../../adapters/http/address-policy.ts';
import { fetchRemoteImage, type RemoteImagePolicy } from '../../../adapters/http/remote-image.ts';
import { decodeBase64Strict, decodeDataUrl } from '../../../adapters/http/image-encoding.ts';

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

let server: Server;
let port: number;
/** The Host header of every request the local server received. */
const hostsSeen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hostsSeen.push(request.headers.host ?? '');
    if (request.url === '/image.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
    } else if (request.url === '/to-ipv6-loopback') {
      response.writeHead(302, { location: `http://[::1]:${port}/image.png` }).end();
    } else if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'image/png' }).end(new Uint8Array(5000));
    } else if (request.url === '/big-undeclared') {
      // No Content-Length: chunked, so only counting the streamed bytes finds it too large.
      response.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 5; i++) response.write(new Uint8Array(400));
      response.end();
    } else if (request.url === '/loop') {
      response.writeHead(302, { location: '/loop' }).end();
    } else if (request.url?.startsWith('/to/')) {
      response.writeHead(302, { location: decodeURIComponent(request.url.slice(4)) }).end();
    } else if (request.url === '/never') {
      // Never answers: only the timeout or the caller ends the fetch.
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

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

  it('classifies every IPv6 form that carries an IPv4 address by that address, however it is spelt', () => {
    // What new URL() makes of http://[::127.0.0.1]/ is ::7f00:1 (IPv4-compatible); the others: mapped spelt out,
    // IPv4-translated, NAT64, 6to4 around loopback and private addresses; Teredo as a whole.
    const nonPublic = ['::7f00:1', '::127.0.0.1', '::a00:1', '0:0:0:0:0:ffff:7f00:1', '::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2002:c0a8:101::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2'];
    for (const address of nonPublic) expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of ['2002:808:808::1', '::ffff:0:808:808', '64:ff9b::808:808', '2a00:1450:4001:80b::200e']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
    expect(new AddressAllowList(['127.0.0.0/8']).allowsAddress('::7f00:1')).toBe(true);
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
    // The refusal names the redirect target, not only an address the caller never sent.
    await expect(fetchRemoteImage(`http://127.0.0.1:${port}/to-ipv6-loopback`, policy({ allowList }))).rejects.toThrow(/redirected to http:\/\/\[::1\].*which is refused/);
  });
});

describe('fetchRemoteImage connects only to checked addresses (DNS rebinding)', () => {
  /** A resolver that knows only the given names (the system resolver knows none of them). */
  function resolver(names: Record<string, string[] | (() => string[])>) {
    const calls: string[] = [];
    const lookup = async (hostname: string) => {
      calls.push(hostname);
      const entry = names[hostname];
      if (entry === undefined) throw new Error(`no such host ${hostname}`);
      return typeof entry === 'function' ? entry() : entry;
    };
    return { lookup, calls };
  }

  it('refuses the connection when the name resolves to a public address for the check and to loopback for the connection', async () => {
    let answers = 0;
    const { lookup, calls } = resolver({ 'rebind.test': () => (answers++ === 0 ? ['93.184.216.34'] : ['127.0.0.1']) });
    const before = hostsSeen.length;
    const error = await fetchRemoteImage(`http://rebind.test:${port}/image.png`, policy({ lookup })).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'REMOTE_IMAGE_REFUSED', details: { address: '127.0.0.1' } });
    expect(calls).toEqual(['rebind.test', 'rebind.test']); // the check's look-up, then the connection's (checked) one
    expect(hostsSeen.length).toBe(before); // the local server was never reached
  });

  it('connects through the injected resolver: a name only it knows is fetched from the address it gave', async () => {
    const { lookup, calls } = resolver({ 'images.test': ['127.0.0.1'] });
    const before = hostsSeen.length;
    const allowList = new AddressAllowList(['127.0.0.1']);
    expect(await fetchRemoteImage(`http://images.test:${port}/image.png`, policy({ lookup, allowList }))).toEqual(PNG_BYTES);
    expect(calls).toEqual(['images.test', 'images.test']);
    expect(hostsSeen.slice(before)).toEqual([`images.test:${port}`]); // the Host header keeps the name
    // Allow-listed by name: its addresses are not checked, but the connection still uses the injected resolver.
    const byName = new AddressAllowList(['images.test']);
    expect(await fetchRemoteImage(`http://images.test:${port}/image.png`, policy({ lookup, allowList: byName }))).toEqual(PNG_BYTES);
  });

  it('checks every address the connection may use, not only the first', async () => {
    let answers = 0;
    const { lookup } = resolver({ 'two.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['127.0.0.1', '10.0.0.1']) });
    const allowList = new AddressAllowList(['127.0.0.1']);
    const before = hostsSeen.length;
    expect(await refusal(fetchRemoteImage(`http://two.test:${port}/image.png`, policy({ lookup, allowList })))).toBe('REMOTE_IMAGE_REFUSED');
    expect(hostsSeen.length).toBe(before);
    // Several checked addresses: node tries them in turn (nothing listens on [::1] at this port, 127.0.0.1 answers).
    const dual = resolver({ 'dual.test': ['::1', '127.0.0.1'] }).lookup;
    expect(await fetchRemoteImage(`http://dual.test:${port}/image.png`, policy({ lookup: dual, allowList: new AddressAllowList(['127.0.0.1', '::1']) }))).toEqual(PNG_BYTES);
  });

  it('checks the connection of every redirect hop with the same resolver', async () => {
    let answers = 0;
    const { lookup } = resolver({ 'images.test': ['127.0.0.1'], 'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['10.0.0.1']) });
    const allowList = new AddressAllowList(['127.0.0.1']);
    const next = encodeURIComponent(`http://rebind.test:${port}/image.png`);
    const error = await fetchRemoteImage(`http://images.test:${port}/to/${next}`, policy({ lookup, allowList })).catch((caught) => caught);
    expect(error).toMatchObject({ code: 'REMOTE_IMAGE_REFUSED', details: { address: '10.0.0.1' } });
  });

  it('refuses a resolver answer that is not an IP address, and a name that does not resolve', async () => {
    const { lookup } = resolver({ 'odd.test': ['not-an-address'] });
    expect(await refusal(fetchRemoteImage(`http://odd.test:${port}/image.png`, policy({ lookup })))).toBe('REMOTE_IMAGE_REFUSED');
    expect(await refusal(fetchRemoteImage(`http://missing.test:${port}/image.png`, policy({ lookup })))).toBe('REMOTE_IMAGE_REFUSED');
  });
});

describe('fetchRemoteImage limits', () => {
  const allowList = new AddressAllowList(['127.0.0.1']);

  it('counts streamed bytes when no Content-Length is declared', async () => {
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/big-undeclared`, policy({ allowList })))).toBe('PAYLOAD_TOO_LARGE');
    expect(await fetchRemoteImage(`http://127.0.0.1:${port}/big-undeclared`, policy({ allowList, maxBytes: 2000 }))).toEqual(new Uint8Array(2000));
  });

  it('follows at most MAX_REDIRECTS redirects', async () => {
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/loop`, policy({ allowList })))).toBe('REMOTE_IMAGE_REFUSED');
    const one = encodeURIComponent('/image.png');
    expect(await fetchRemoteImage(`http://127.0.0.1:${port}/to/${one}`, policy({ allowList }))).toEqual(PNG_BYTES);
  });

  it('gives up after the timeout (a silent server, a resolver that never answers), and when the caller cancels', async () => {
    expect(await refusal(fetchRemoteImage(`http://127.0.0.1:${port}/never`, policy({ allowList, timeoutMs: 100 })))).toBe('DEADLINE_EXCEEDED');
    const lookup = () => new Promise<string[]>(() => {});
    expect(await refusal(fetchRemoteImage(`http://hangs.test:${port}/image.png`, policy({ lookup, timeoutMs: 100 })))).toBe('DEADLINE_EXCEEDED');
    const caller = new AbortController();
    const pending = fetchRemoteImage(`http://127.0.0.1:${port}/never`, policy({ allowList }), caller.signal);
    caller.abort();
    expect(await refusal(pending)).toBe('ABORTED');
  });

  it('refuses URLs with credentials', async () => {
    expect(await refusal(fetchRemoteImage(`http://user:secret@127.0.0.1:${port}/image.png`, policy({ allowList })))).toBe('INVALID_INPUT');
  });
});

describe('fetchRemoteImage over https', () => {
  // A self-signed certificate for images.test, made for this test only (openssl req -x509, P-256, 100 years).
  const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2ANiT5fwdkx7owlL
IndmSyOWMvBsnO0Vzc0JWt9EIAahRANCAAS4h2PuJBHkIWGV8eZo7I46OKQUCZuJ
q2h+zBRTG60OBgfhQ7BUXcuW3vyzAKrWXiq3eaSc8KyqnIibpRY5frrX
-----END PRIVATE KEY-----`;
  const CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUUa+GExr2nxpkXVPZtLif3iRi59UwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLaW1hZ2VzLnRlc3QwIBcNMjYxMTI3MDkxNzI1WhgPMjEyNjEx
MDMwOTE3MjVaMBYxFDASBgNVBAMMC2ltYWdlcy50ZXN0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEuIdj7iQR5CFhlfHmaOyOOjikFAmbiatofswUUxutDgYH4UOw
VF3Llt78swCq1l4qt3mknPCsqpyIm6UWOX6616NrMGkwHQYDVR0OBBYEFBPzJRTK
jgHrNOX1EFmcyEb+MXr8MB8GA1UdIwQYMBaAFBPzJRTKjgHrNOX1EFmcyEb+MXr8
MA8GA1UdEwEB/wQFMAMBAf8wFgYDVR0RBA8wDYILaW1hZ2VzLnRlc3QwCgYIKoZI
zj0EAwIDRwAwRAIgTx6RWYsM5N3kZ0dtz5DKSAYPwm4Y1ON9VOOUCxKqT30CIEjU
4nJup3djjEl/F/GaLAOlXTqRWF6yijf4/O5Q2pys
-----END CERTIFICATE-----`;
  let tlsServer: TlsServer;
  let tlsPort: number;
  const serverNames: string[] = [];

  beforeAll(async () => {
    const context = createSecureContext({ key: KEY, cert: CERT });
    tlsServer = createTlsServer({ key: KEY, cert: CERT, SNICallback: (name, done) => { serverNames.push(name); done(null, context); } }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG_BYTES);
    });
    tlsServer.on('tlsClientError', () => {}); // the client refusing the certificate is expected
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsPort = (tlsServer.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => tlsServer.close(() => resolve())));

  it('sends the host name as SNI and verifies the certificate (a self-signed one is refused), though it connects to the checked address', async () => {
    const lookup = async () => ['127.0.0.1'];
    const allowList = new AddressAllowList(['127.0.0.1']);
    const error = await fetchRemoteImage(`https://images.test:${tlsPort}/image.png`, policy({ lookup, allowList })).catch((caught) => caught);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/certificate/);
    expect(serverNames).toEqual(['images.test']);
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
