/**
 * An embedding as SQLite stores it: the bytes of a `Float32Array` (what `vec0` takes as a vector
 * too), 4 bytes per dimension, native byte order (little-endian on every platform Bun runs on).
 *
 * @example
 * ```ts
 * const blob = toVectorBlob([0.6, 0.8]); // Uint8Array(8)
 * fromVectorBlob(blob); // Float32Array [0.6, 0.8] (as float32)
 * ```
 */
export function toVectorBlob(vector: ArrayLike<number>): Uint8Array {
  const floats = Float32Array.from(vector);
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
}

/**
 * Reads a blob written by {@link toVectorBlob} back as floats. Copies only when the blob's bytes
 * are not 4-byte aligned (a `Float32Array` view needs alignment).
 *
 * @example
 * ```ts
 * const vector = fromVectorBlob(row.vector);
 * ```
 */
export function fromVectorBlob(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0) {
    throw new RangeError(`a vector blob has a multiple of 4 bytes, got ${blob.byteLength}`);
  }
  if (blob.byteOffset % 4 === 0) {
    return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  }
  return new Float32Array(blob.slice().buffer);
}
