import { describe, expect, it } from 'vitest';
import { isImageCandidate, pickImages, type AttachmentInfo } from '../../../adapters/discord/image-attachments.ts';

function attachment(name: string, more: Partial<AttachmentInfo> = {}): AttachmentInfo {
  return { id: name, name, url: `https://cdn.discordapp.com/attachments/1/2/${name}`, size: 100, contentType: null, description: null, width: null, height: null, spoiler: false, ...more };
}

describe('image attachments', () => {
  it('a candidate is reported with dimensions, an image/* type or an image file name; other files are not', () => {
    expect(isImageCandidate(attachment('photo.bin', { width: 10, height: 10 }))).toBe(true);
    expect(isImageCandidate(attachment('photo', { contentType: 'image/png' }))).toBe(true);
    expect(isImageCandidate(attachment('photo.JPG', { contentType: 'text/plain' }))).toBe(true);
    expect(isImageCandidate(attachment('notes.txt', { contentType: 'text/plain' }))).toBe(false);
  });

  it('videos and audio are not images, whatever their dimensions or name; dimensions count only with no type, a generic one or image/*', () => {
    expect(isImageCandidate(attachment('clip.mp4', { contentType: 'video/mp4', width: 1280, height: 720 }))).toBe(false);
    expect(isImageCandidate(attachment('clip.png', { contentType: 'video/quicktime', width: 1280, height: 720 }))).toBe(false);
    expect(isImageCandidate(attachment('voice.ogg', { contentType: 'audio/ogg; codecs=opus' }))).toBe(false);
    expect(isImageCandidate(attachment('clip.webm', { contentType: 'VIDEO/WEBM', width: 640, height: 360 }))).toBe(false);
    expect(isImageCandidate(attachment('scan', { contentType: null, width: 640, height: 360 }))).toBe(true);
    expect(isImageCandidate(attachment('scan.bin', { contentType: 'application/octet-stream', width: 640, height: 360 }))).toBe(true);
    expect(isImageCandidate(attachment('scan', { contentType: 'image/png; charset=binary', width: 640, height: 360 }))).toBe(true);
    expect(isImageCandidate(attachment('report.pdf', { contentType: 'application/pdf', width: 640, height: 360 }))).toBe(false);
  });

  it('skips described images and keeps at most `max`, naming the rest', () => {
    const list = [
      attachment('a.png'),
      attachment('b.png', { description: 'my alt text' }),
      attachment('c.txt'),
      attachment('d.png'),
      attachment('e.png'),
    ];
    const picked = pickImages(list, 2, { skipDescribed: true });
    expect(picked.images.map((a) => a.name)).toEqual(['a.png', 'd.png']);
    expect(picked.described.map((a) => a.name)).toEqual(['b.png']);
    expect(picked.overLimit.map((a) => a.name)).toEqual(['e.png']);
  });
});
