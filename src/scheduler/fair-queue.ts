/**
 * Waiting items grouped by channel, taken round-robin over the channels so one busy channel cannot starve the
 * others. A batch is built from compatible items only (same generation options), one per channel per round.
 */
export class FairQueue<T> {
  /** Channels in round-robin order; the next batch starts with the first one that has items. */
  readonly #channels = new Map<string, T[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(channel: string, item: T): void {
    const items = this.#channels.get(channel);
    if (items) items.push(item);
    else this.#channels.set(channel, [item]);
    this.#size++;
  }

  /** Removes a waiting item (a cancelled request); false when it is not waiting any more. */
  remove(channel: string, item: T): boolean {
    const items = this.#channels.get(channel);
    const index = items?.indexOf(item) ?? -1;
    if (!items || index < 0) return false;
    items.splice(index, 1);
    if (items.length === 0) this.#channels.delete(channel);
    this.#size--;
    return true;
  }

  /**
   * Takes up to `max` items: the oldest item of the next channel in turn, then, round by round over the channels,
   * each channel's oldest item compatible with it. The first channel goes to the back of the order.
   */
  takeBatch(max: number, compatible: (a: T, b: T) => boolean): T[] {
    const first = this.#channels.entries().next();
    if (first.done) return [];
    const [firstChannel] = first.value;
    const lead = this.#channels.get(firstChannel)![0];
    const batch: T[] = [];
    let progress = true;
    while (batch.length < max && progress) {
      progress = false;
      for (const items of this.#channels.values()) {
        if (batch.length >= max) break;
        const index = items.findIndex((item) => !batch.includes(item) && compatible(lead, item));
        if (index < 0) continue;
        batch.push(items[index]);
        progress = true;
      }
    }
    for (const item of batch) {
      for (const channel of [...this.#channels.keys()]) if (this.remove(channel, item)) break;
    }
    // Rotate: the channel served first goes last (if it still waits).
    const rest = this.#channels.get(firstChannel);
    if (rest) {
      this.#channels.delete(firstChannel);
      this.#channels.set(firstChannel, rest);
    }
    return batch;
  }
}
