/**
 * Decodes the Docker Engine's multiplexed log stream (non-TTY containers): frames of an 8-byte header
 * (stream type, 3 zero bytes, big-endian payload length) followed by the payload.
 */
export function demuxDockerLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const type = raw[offset];
    const length = raw.readUInt32BE(offset + 4);
    // Not a frame header: the stream is plain text after all (TTY, or an engine that does not mux).
    if (
      type === undefined ||
      type > 2 ||
      raw[offset + 1] !== 0 ||
      raw[offset + 2] !== 0 ||
      raw[offset + 3] !== 0
    )
      return raw.toString("utf8");
    parts.push(raw.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset < raw.length && parts.length === 0) return raw.toString("utf8");
  return Buffer.concat(parts).toString("utf8");
}
