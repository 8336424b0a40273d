/**
 * Gathers items submitted at the same moment into one batch of at most `maxBatch` items, flushed on the next turn of
 * the event loop (first come, first served; more items wait for the next batch). One batch runs at a time; items
 * arriving meanwhile form the next one.
 */
export class MicroBatcher<I, O> {
  readonly #maxBatch: number;
  readonly #run: (inputs: I[]) => Promise<O[]>;
  #waiting: Array<{ input: I; resolve: (output: O) => void; reject: (error: unknown) => void }> = [];
  #scheduled = false;
  #running = false;

  constructor(options: { maxBatch: number; run: (inputs: I[]) => Promise<O[]> }) {
    this.#maxBatch = options.maxBatch;
    this.#run = options.run;
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#running || this.#waiting.length === 0) return;
    this.#running = true;
    const batch = this.#waiting.splice(0, this.#maxBatch);
    try {
      const outputs = await this.#run(batch.map((entry) => entry.input));
      batch.forEach((entry, i) => entry.resolve(outputs[i]));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}
