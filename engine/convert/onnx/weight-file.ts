/**
 * The bundle's external weight file: every large initializer of every graph lives in one `weights.bin` (named by
 * format: `weights_q4.bin`, …), each tensor of 64 KiB or more at an offset aligned to 64 KiB so onnxruntime can
 * memory-map it on CPU (and two graphs that use the same tensor, e.g. OPT's token embeddings and its tied lm_head,
 * share one copy on disk and in the page cache). Smaller tensors (biases, norms, the scales and zero points of
 * quantized weights) are read into memory by onnxruntime anyway, so they are only 64-byte aligned: padding every
 * one of them to 64 KiB would make small and quantized bundles larger than their data.
 */
import { open, type FileHandle } from 'node:fs/promises';

export const WEIGHT_ALIGNMENT = 65536;
/** Alignment of tensors smaller than WEIGHT_ALIGNMENT (a cache line; enough for any SIMD load). */
export const SMALL_TENSOR_ALIGNMENT = 64;

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

  /** Appends one tensor's bytes at the next aligned offset (64 KiB for large tensors, 64 bytes for small ones). */
  async append(data: Uint8Array): Promise<WeightLocation> {
    if (!this.#handle) throw new Error('weight file already closed');
    const alignment = data.byteLength >= WEIGHT_ALIGNMENT ? WEIGHT_ALIGNMENT : SMALL_TENSOR_ALIGNMENT;
    const offset = Math.ceil(this.#end / alignment) * alignment;
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
