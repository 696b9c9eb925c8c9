/**
 * A growable ring buffer: O(1) push/pop at both ends. Arrays' `shift()` is O(n) in the worst
 * case, and the waiter queue and FIFO idle list take from the front on every hand-off.
 */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const index = (this.head + this.count - 1) & (this.items.length - 1);
    const item = this.items[index];
    this.items[index] = undefined;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Keeps the items `keep` accepts, in order; returns the ones it dropped. O(n), for sweeps. */
  filter(keep: (item: T) => boolean): T[] {
    const dropped: T[] = [];
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const item = this.shift() as T;
      if (keep(item)) this.push(item);
      else dropped.push(item);
    }
    return dropped;
  }

  /** Removes one item by identity. O(n): only for rare, out-of-band removals. */
  remove(item: T): boolean {
    let found = false;
    this.filter((x) => {
      if (!found && x === item) {
        found = true;
        return false;
      }
      return true;
    });
    return found;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++)
      yield this.items[(this.head + i) & (this.items.length - 1)] as T;
  }

  clear(): T[] {
    const all = [...this];
    this.items = new Array(16);
    this.head = 0;
    this.count = 0;
    return all;
  }

  private grow(): void {
    const bigger: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++)
      bigger[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = bigger;
    this.head = 0;
  }
}
