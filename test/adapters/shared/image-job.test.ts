// The shared image job: images read one after the other in the asker's turn; a remembered image learns its content
// hash from the service's result (the conversation manager keeps it), and the outcomes carry only the image's own fields.
import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { runImageJob, type ImageToRead } from '../../../adapters/shared/image-job.ts';
import { UserWorkQueue } from '../../../adapters/shared/user-work-queue.ts';
import type { ServiceRequest, ServiceResult } from '../../../src/service/glance-service.ts';

function fakeService(hashOf: (bytes: Uint8Array) => string) {
  return {
    async run(request: ServiceRequest): Promise<ServiceResult> {
      const bytes = request.image;
      if (bytes.length === 0) throw new GlanceError(ErrorCode.ImageEmpty, 'the file is empty (0 bytes)');
      return { text: `seen ${bytes.length} bytes`, sequence: [2, 5], finishReason: 'eos', promptTokens: 33, imageHash: hashOf(bytes), cacheHit: false, prefixCacheHit: false, batchSize: 1, timingsMs: { queue: 0, preprocess: 1, vision: 1, prefill: 1, decode: 1, total: 4 } };
    },
  };
}

describe('runImageJob', () => {
  it('tells each read image its content hash; unreadable images are not told, and no outcome carries load or noteHash', async () => {
    const noted: Record<string, string> = {};
    const image = (name: string, bytes: Uint8Array): ImageToRead => ({ name, load: async () => bytes, noteHash: (hash) => (noted[name] = hash) });
    const { outcomes } = await runImageJob(
      { service: fakeService((bytes) => `hash-of-${bytes.length}`), queue: new UserWorkQueue() },
      { images: [image('a.png', new Uint8Array(3)), image('empty.png', new Uint8Array(0)), image('b.png', new Uint8Array(7))], userId: 'u', channelId: 'c' },
    );
    expect(noted).toEqual({ 'a.png': 'hash-of-3', 'b.png': 'hash-of-7' });
    expect(outcomes).toEqual([{ name: 'a.png', text: 'seen 3 bytes' }, { name: 'empty.png', error: 'The file is empty (0 bytes).' }, { name: 'b.png', text: 'seen 7 bytes' }]);
  });
});
