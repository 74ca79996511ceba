/**
 * Label Studio brush RLE (the `rle` byte list of a BrushLabels result; the format of
 * `@thi.ng/rle-pack`). Bits are read most-significant first:
 *
 * - header: 32 bits word count `num`, 5 bits word size − 1, then 4 × 4 bits run-length class sizes − 1;
 * - then chunks until `num` words are produced: 1 bit flag (1 = one repeated word, 0 = literal words),
 *   2 bits class, `sizes[class]` bits count − 1, then one word (repeat) or `count` words (literal).
 *
 * Masks are decoded straight into runs of non-zero words, never into the flat RGBA array: the header
 * may claim billions of words, and runs stay proportional to the encoded size.
 */

class BitReader {
  private pos = 0;
  constructor(private readonly bytes: ArrayLike<number>) {}

  get remaining(): number {
    return this.bytes.length * 8 - this.pos;
  }

  /** Reads up to 32 bits, MSB first, a byte-sized piece at a time (exact: results stay below 2^53). */
  read(bits: number): number {
    let out = 0;
    let left = bits;
    while (left > 0) {
      const avail = 8 - (this.pos & 7);
      const take = avail < left ? avail : left;
      const byte = this.bytes[this.pos >>> 3] ?? 0;
      out = out * (1 << take) + ((byte >>> (avail - take)) & ((1 << take) - 1));
      this.pos += take;
      left -= take;
    }
    return out;
  }
}

/** A decoded mask: sorted, disjoint, non-adjacent half-open runs `[start, end)` of non-zero words. */
export interface MaskRuns {
  /** Word count announced by the header (width × height × 4 for LS masks). */
  readonly length: number;
  /** Flat pairs: start0, end0, start1, end1, … */
  readonly runs: readonly number[];
  /** Number of non-zero words. */
  readonly count: number;
}

/** Decodes LS RLE into runs of non-zero words. Truncated input stops decoding where the data ends. */
export function decodeRleRuns(rle: ArrayLike<number>): MaskRuns {
  const input = new BitReader(rle);
  if (input.remaining < 53) return { length: 0, runs: [], count: 0 };
  const num = input.read(32);
  const wordSize = input.read(5) + 1;
  const sizes = [input.read(4) + 1, input.read(4) + 1, input.read(4) + 1, input.read(4) + 1];
  const runs: number[] = [];
  let count = 0;
  const mark = (start: number, end: number): void => {
    const last = runs.length - 1;
    if (last > 0 && runs[last] === start) runs[last] = end;
    else runs.push(start, end);
    count += end - start;
  };
  let i = 0;
  while (i < num && input.remaining >= 3) {
    const repeat = input.read(1) === 1;
    const size = sizes[input.read(2)] as number;
    if (input.remaining < size) break;
    const n = Math.min(input.read(size) + 1, num - i);
    if (repeat) {
      if (input.remaining < wordSize) break;
      if (input.read(wordSize) !== 0) mark(i, i + n);
      i += n;
    } else {
      for (let k = 0; k < n && input.remaining >= wordSize; k++, i++)
        if (input.read(wordSize) !== 0) mark(i, i + 1);
      if (input.remaining < wordSize && i < num) break;
    }
  }
  return { length: num, runs, count };
}

/** Decodes LS RLE into the flat word array (tests and tools; refuses headers above `maxWords`). */
export function decodeRle(rle: ArrayLike<number>, maxWords = 1 << 26): Uint32Array {
  const input = new BitReader(rle);
  const length = input.read(32);
  if (length > maxWords) throw new RangeError(`RLE mask of ${length} words exceeds ${maxWords}`);
  const wordSize = input.read(5) + 1;
  const sizes = [input.read(4) + 1, input.read(4) + 1, input.read(4) + 1, input.read(4) + 1];
  const out = new Uint32Array(length);
  let i = 0;
  while (i < length && input.remaining >= 3) {
    const repeat = input.read(1) === 1;
    const n = Math.min(input.read(sizes[input.read(2)] as number) + 1, length - i);
    if (repeat) {
      out.fill(input.read(wordSize), i, i + n);
      i += n;
    } else {
      for (let k = 0; k < n; k++, i++) out[i] = input.read(wordSize);
    }
  }
  return out;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private pos = 0;

  write(value: number, bits: number): void {
    for (let k = bits - 1; k >= 0; k--) {
      const bit = Math.floor(value / 2 ** k) % 2;
      if ((this.pos & 7) === 0) this.bytes.push(0);
      if (bit)
        this.bytes[this.bytes.length - 1] =
          (this.bytes[this.bytes.length - 1] ?? 0) | (0x80 >>> (this.pos & 7));
      this.pos++;
    }
  }

  get result(): number[] {
    return this.bytes;
  }
}

/**
 * Encodes words into LS RLE (class sizes 3, 4, 8, 16 bits, as rle-pack's defaults): runs of 2 or more
 * equal words become repeat chunks, the rest literal chunks. Used by tests and benchmarks.
 */
export function encodeRle(words: ArrayLike<number>, wordSize = 8): number[] {
  const sizes = [3, 4, 8, 16];
  const out = new BitWriter();
  out.write(words.length, 32);
  out.write(wordSize - 1, 5);
  for (const s of sizes) out.write(s - 1, 4);
  const chunk = (repeat: boolean, n: number): void => {
    const cls = sizes.findIndex((s) => n <= 2 ** s);
    out.write(repeat ? 1 : 0, 1);
    out.write(cls, 2);
    out.write(n - 1, sizes[cls] as number);
  };
  const max = 2 ** 16;
  let i = 0;
  while (i < words.length) {
    let j = i + 1;
    while (j < words.length && words[j] === words[i] && j - i < max) j++;
    if (j - i >= 2) {
      chunk(true, j - i);
      out.write(words[i] as number, wordSize);
      i = j;
      continue;
    }
    // Literal chunk: extend while the next word does not start a run.
    let end = i + 1;
    while (end < words.length && end - i < max && words[end] !== words[end + 1]) end++;
    chunk(false, end - i);
    for (let k = i; k < end; k++) out.write(words[k] as number, wordSize);
    i = end;
  }
  return out.result;
}
