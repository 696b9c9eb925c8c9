import { Database } from "bun:sqlite";
import { describe, expect, it } from "bun:test";
import * as sqliteVec from "sqlite-vec";
import { NearestK } from "./cosine-scan.ts";

/** Deterministic pseudo-random vectors (a linear congruential generator). */
function vectors(count: number, dimensions: number, seed = 7): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dimensions }, next));
}

describe("NearestK", () => {
  it("keeps the k nearest by cosine distance, nearest first", () => {
    const top = new NearestK(new Float32Array([1, 0]), 2);
    top.add(1, new Float32Array([0, 1]));
    top.add(2, new Float32Array([1, 0.1]));
    top.add(3, new Float32Array([-1, 0]));
    top.add(4, new Float32Array([2, 0]));
    expect(top.result().map((n) => n.chunkId)).toEqual([4, 2]);
    expect(top.result()[0]!.distance).toBeCloseTo(0, 6);
  });

  it("puts a zero vector at distance 1 and breaks ties by the smaller chunk id", () => {
    const top = new NearestK(new Float32Array([1, 0]), 3);
    top.add(9, new Float32Array([0, 0]));
    top.add(5, new Float32Array([0, 1]));
    expect(top.result()).toEqual([
      { chunkId: 5, distance: 1 },
      { chunkId: 9, distance: 1 },
    ]);
  });

  it("refuses a vector of another length", () => {
    const top = new NearestK(new Float32Array([1, 0]), 1);
    expect(() => top.add(1, new Float32Array([1, 0, 0]))).toThrow(RangeError);
  });

  it("ranks as sqlite-vec's vec0 does with distance_metric=cosine", () => {
    const db = new Database(":memory:");
    sqliteVec.load(db);
    db.run(
      "create virtual table v using vec0(chunk_id integer primary key, embedding float[32] distance_metric=cosine)",
    );
    const stored = vectors(500, 32);
    const insert = db.query("insert into v (chunk_id, embedding) values (?, ?)");
    for (const [i, vector] of stored.entries()) insert.run(i + 1, vector);
    for (const query of vectors(5, 32, 99)) {
      const top = new NearestK(query, 10);
      for (const [i, vector] of stored.entries()) top.add(i + 1, vector);
      const expected = db
        .query<{ chunkId: number; distance: number }, [Float32Array]>(
          "select chunk_id as chunkId, distance from v where embedding match ? and k = 10 order by distance",
        )
        .all(query);
      const got = top.result();
      expect(got.map((n) => n.chunkId)).toEqual(expected.map((n) => n.chunkId));
      for (const [i, n] of got.entries()) expect(n.distance).toBeCloseTo(expected[i]!.distance, 5);
    }
    db.close();
  });
});
