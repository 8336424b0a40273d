/**
 * Test double for DecoderSession: the logits of a row are a fixed function of (input row, last fed token or null at
 * the prompt, number of tokens fed). Records every call so tests can check reorder/step traffic.
 */
import type { DecoderSession } from '../../../engine/generation/generate.ts';

export type LogitsTable = (inputRow: number, lastToken: number | null, fedCount: number) => number[];

interface RowState {
  inputRow: number;
  lastToken: number | null;
  fedCount: number;
}

export type SessionCall =
  | { kind: 'prefill'; rows: number }
  | { kind: 'step'; tokens: number[] }
  | { kind: 'reorder'; source: number[] };

export class FakeDecoderSession implements DecoderSession {
  readonly calls: SessionCall[] = [];
  private rows: RowState[];

  constructor(
    readonly vocabSize: number,
    batchSize: number,
    private readonly table: LogitsTable,
  ) {
    this.rows = Array.from({ length: batchSize }, (_, inputRow) => ({ inputRow, lastToken: null, fedCount: 0 }));
  }

  get rowCount(): number {
    return this.rows.length;
  }

  private logits(): Float32Array {
    const out = new Float32Array(this.rows.length * this.vocabSize);
    this.rows.forEach((row, i) => {
      const values = this.table(row.inputRow, row.lastToken, row.fedCount);
      if (values.length !== this.vocabSize) throw new Error('table returned the wrong vocabulary size');
      out.set(values, i * this.vocabSize);
    });
    return out;
  }

  async prefill(): Promise<Float32Array> {
    this.calls.push({ kind: 'prefill', rows: this.rows.length });
    return this.logits();
  }

  async step(tokens: Int32Array): Promise<Float32Array> {
    this.calls.push({ kind: 'step', tokens: [...tokens] });
    if (tokens.length !== this.rows.length) throw new Error(`step got ${tokens.length} tokens for ${this.rows.length} rows`);
    this.rows.forEach((row, i) => {
      row.lastToken = tokens[i];
      row.fedCount++;
    });
    return this.logits();
  }

  async reorder(source: Int32Array): Promise<void> {
    this.calls.push({ kind: 'reorder', source: [...source] });
    this.rows = [...source].map((i) => {
      const row = this.rows[i];
      if (!row) throw new Error(`reorder source ${i} out of range`);
      return { ...row };
    });
  }
}

/** Natural-log probabilities as logits (log_softmax of them is themselves up to rounding). */
export function logProbs(probabilities: number[]): number[] {
  return probabilities.map(Math.log);
}
