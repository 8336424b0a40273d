/** The JSON a generation route answers with (also the payload of the `done` stream event). */
import type { ServiceResult } from '../../src/service/glance-service.ts';

export interface ResultBody {
  text: string;
  imageHash: string;
  cacheHit: boolean;
  /** The language model's cache of the image queries was kept from an earlier request: only the prompt was prefilled. */
  prefixCacheHit: boolean;
  finishReason: 'eos' | 'length';
  timingsMs: ServiceResult['timingsMs'];
  batchSize: number;
}

export function resultBody(result: ServiceResult): ResultBody {
  return {
    text: result.text,
    imageHash: result.imageHash,
    cacheHit: result.cacheHit,
    prefixCacheHit: result.prefixCacheHit,
    finishReason: result.finishReason,
    timingsMs: result.timingsMs,
    batchSize: result.batchSize,
  };
}
