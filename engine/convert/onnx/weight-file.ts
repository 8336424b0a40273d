/**
 * The bundle's external weight file: every large initializer of every graph lives in one `weights.bin`, each tensor
 * at an offset aligned to 64 KiB so onnxruntime can memory-map it on CPU (and two graphs that use the same tensor,
 * e.g. OPT's token embeddings and its tied lm_head, share one copy on disk and in the page cache).
 */
import { open, type FileHandle } from 'node:fs/promises';

export const WEIGHT_ALIGNMENT = 65536;

export interface WeightLocation {
  offset: number;
  length: number;
}

export class WeightFileWriter {
  readonly fileName: string;
  #handle: FileHandle | undefined;
  #end = 0;

  private constructor(fileName: string, handle: FileHandle) {
    this.fileName = fileName;
    this.#handle = handle;
  }

  static async create(path: string, fileName: string): Promise<WeightFileWriter> {
    return new WeightFileWriter(fileName, await open(path, 'w'));
  }

  get bytesWritten(): number {
    return this.#end;
  }

  /** Appends one tensor's bytes at the next aligned offset. */
  async append(data: Uint8Array): Promise<WeightLocation> {
    if (!this.#handle) throw new Error('weight file already closed');
    const offset = Math.ceil(this.#end / WEIGHT_ALIGNMENT) * WEIGHT_ALIGNMENT;
    let written = 0;
    while (written < data.byteLength) {
      const { bytesWritten } = await this.#handle.write(data, written, data.byteLength - written, offset + written);
      written += bytesWritten;
    }
    this.#end = offset + data.byteLength;
    return { offset, length: data.byteLength };
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) return;
    await handle.sync();
    await handle.close();
  }
}
