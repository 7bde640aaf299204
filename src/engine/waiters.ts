/** Promises that resolve when a keyed event happens (a pipeline completing). */
export class Waiters<T> {
  readonly #waiting = new Map<string, ((value: T) => void)[]>();

  wait(key: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.#waiting.get(key) ?? [];
      list.push(resolve);
      this.#waiting.set(key, list);
    });
  }

  resolve(key: string, value: T): void {
    const list = this.#waiting.get(key) ?? [];
    this.#waiting.delete(key);
    for (const resolve of list) resolve(value);
  }
}
