/**
 * Which safetensors files of a Hub repository the converter will read, chosen the way engine/convert/checkpoint-files.ts
 * opens a checkpoint: `model.safetensors` if listed; else the shards that `model.safetensors.index.json` names; else a
 * lone `model-00001-of-00001.safetensors`. Other safetensors (variants, adapters) are not downloaded.
 */
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { INDEX_FILE, SINGLE_FILE } from '../../engine/convert/checkpoint-files.ts';

const LONE_SHARD = 'model-00001-of-00001.safetensors';

/** `listed`: the repository's top-level file names; `readIndex` reads the (already downloaded) index. */
export async function chooseWeightFiles(listed: readonly string[], readIndex: () => Promise<string>, repo: string): Promise<string[]> {
  const names = new Set(listed);
  if (names.has(SINGLE_FILE)) return [SINGLE_FILE];
  if (names.has(INDEX_FILE)) {
    let weightMap: unknown;
    try {
      weightMap = (JSON.parse(await readIndex()) as { weight_map?: unknown }).weight_map;
    } catch (error) {
      throw new GlanceError(ErrorCode.ModelUnavailable, `${INDEX_FILE} of ${repo} is not valid JSON (${(error as Error).message}); the repository's weights cannot be located.`, { repo }, { cause: error });
    }
    if (typeof weightMap !== 'object' || weightMap === null) {
      throw new GlanceError(ErrorCode.ModelUnavailable, `${INDEX_FILE} of ${repo} has no weight_map; the repository's weights cannot be located.`, { repo });
    }
    const shards = [...new Set(Object.values(weightMap as Record<string, unknown>).map(String))].sort();
    const absent = shards.filter((shard) => !names.has(shard));
    if (absent.length > 0) {
      throw new GlanceError(ErrorCode.ModelUnavailable, `${repo}'s ${INDEX_FILE} names shards the repository does not hold (${absent.join(', ')}); the upload is incomplete. Pick another revision.`, { repo, absent });
    }
    return shards;
  }
  if (names.has(LONE_SHARD)) return [LONE_SHARD];
  throw new GlanceError(ErrorCode.ModelUnavailable, `${repo} has no ${SINGLE_FILE}, ${INDEX_FILE} or ${LONE_SHARD}: glance converts safetensors checkpoints only (found ${listed.filter((n) => n.endsWith('.safetensors')).join(', ') || 'no safetensors'}). Pick a BLIP-2 repository with safetensors weights, e.g. Salesforce/blip2-opt-2.7b.`, { repo });
}
