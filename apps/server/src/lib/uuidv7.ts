import { randomFillSync } from "node:crypto";

let lastMs = 0;
let sequence = 0;
// Random bytes drawn 4 KiB at a time (one call per 512 ids, not one per id: ids are made on hot paths).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * RFC 9562 UUIDv7: 48-bit milliseconds, then a 12-bit counter within the millisecond (so ids made by
 * one process sort in creation order even within a millisecond), then random bits.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now <= lastMs) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    sequence = 0;
  }
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  pool.copy(bytes, 8, poolOffset, poolOffset + 8);
  poolOffset += 8;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
