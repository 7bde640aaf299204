/**
 * A runner's concurrency budget shared by its BullMQ workers (one per label queue; a BullMQ
 * worker consumes a single queue). Each worker may fetch up to the whole budget; when the
 * budget is spent the gate says so (`onFull`: pause every worker) and again when a slot frees
 * (`onFree`: resume them). A job fetched in the short window before a pause lands finds no slot
 * and is handed back to the queue for another runner.
 */
export class SlotGate {
  readonly #capacity: number;
  readonly #onFull: () => void;
  readonly #onFree: () => void;
  #used = 0;

  constructor(options: {
    readonly capacity: number;
    readonly onFull: () => void;
    readonly onFree: () => void;
  }) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${options.capacity}`);
    this.#capacity = options.capacity;
    this.#onFull = options.onFull;
    this.#onFree = options.onFree;
  }

  get used(): number {
    return this.#used;
  }

  tryAcquire(): boolean {
    if (this.#used >= this.#capacity) return false;
    this.#used += 1;
    if (this.#used === this.#capacity) this.#onFull();
    return true;
  }

  release(): void {
    if (this.#used === 0) throw new Error("released a slot that was not taken");
    this.#used -= 1;
    if (this.#used === this.#capacity - 1) this.#onFree();
  }
}
