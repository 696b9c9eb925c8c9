import * as genericPool from "generic-pool";
import * as tarn from "tarn";
import { Pool } from "../src/index.ts";

/** A trivial pooled resource: the benchmark measures the pool, not the resource. */
export interface Resource {
  id: number;
}

/** What every contender offers the benchmark: acquire a handle, release it, close. */
export interface BenchPool {
  acquire(): Promise<unknown>;
  release(handle: unknown): void;
  close(): Promise<void>;
}

let ids = 0;
const create = (): Resource => ({ id: ids++ });

/** Each pool with its default options, only `max` set. */
export const contenders: Record<string, (max: number) => BenchPool> = {
  "@pool/core": (max) => {
    const pool = new Pool<Resource>({ create, max });
    return {
      acquire: () => pool.acquire(),
      release: (lease) => (lease as { release(): void }).release(),
      close: () => pool.close(),
    };
  },
  tarn: (max) => {
    const pool = new tarn.Pool<Resource>({
      create: (cb) => cb(null, create()),
      destroy: () => {},
      min: 0,
      max,
    });
    return {
      acquire: () => pool.acquire().promise,
      release: (r) => void pool.release(r as Resource),
      close: async () => {
        await pool.destroy();
      },
    };
  },
  "generic-pool": (max) => {
    const pool = genericPool.createPool<Resource>(
      { create: async () => create(), destroy: async () => {} },
      { max },
    );
    return {
      acquire: () => pool.acquire(),
      release: (r) => void pool.release(r as Resource),
      close: async () => {
        await pool.drain();
        await pool.clear();
      },
    };
  },
  // A featureless FIFO pool in a dozen lines: the floor any real pool is measured against.
  "bare FIFO (reference)": (max) => {
    const idle: Resource[] = [];
    const waiters: ((r: Resource) => void)[] = [];
    let size = 0;
    return {
      acquire() {
        const r = idle.pop();
        if (r) return Promise.resolve(r);
        if (size < max) {
          size++;
          return Promise.resolve(create());
        }
        return new Promise<Resource>((resolve) => waiters.push(resolve));
      },
      release(r) {
        const next = waiters.shift();
        if (next) next(r as Resource);
        else idle.push(r as Resource);
      },
      close: async () => {},
    };
  },
};
