/** Small images written by hand for the bad-input tests: large in pixels or animated, tiny on the wire. */
import { crc32, deflateSync } from 'node:zlib';

/** A valid grayscale PNG of width x height black pixels (a few hundred bytes): large in pixels, small on the wire. */
export function blankPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const rows = Buffer.alloc((width + 1) * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A tiny (animated when several frames) GIF of 2x2-pixel frames (palette indices 0 = black, 1 = white), written by hand. */
export function animatedGif(frames: number[][]): Buffer {
  const header = Buffer.from('GIF89a', 'ascii');
  const screen = Buffer.from([2, 0, 2, 0, 0xf0, 0, 0]); // 2x2, global color table of 2 colors
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'ascii'), 3, 1, 0, 0, 0]);
  const frame = (pixels: number[]) => {
    // LZW with code size 2: clear (4) before every pixel keeps the code width at 3 bits; end (5).
    const codes = pixels.flatMap((pixel) => [4, pixel]).concat([5]);
    let bits = 0;
    let value = 0;
    const bytes: number[] = [];
    for (const code of codes) {
      value |= code << bits;
      bits += 3;
      while (bits >= 8) {
        bytes.push(value & 0xff);
        value >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) bytes.push(value & 0xff);
    return Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0, 0x2c, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, bytes.length, ...bytes, 0]);
  };
  return Buffer.concat([header, screen, palette, loop, ...frames.map(frame), Buffer.from([0x3b])]);
}
