/**
 * The hash tag Redis Cluster hashes for `key`: the text between the first `{` and the next `}`
 * when it is non-empty, otherwise `undefined` (the whole key is hashed).
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return undefined;
  return key.slice(open + 1, close);
}

/**
 * The key of a topic's idempotency record (producer id → last appended sequence). It always
 * hashes to the topic's slot, so the append script may touch both keys on Redis Cluster:
 * a topic without braces (all `topicFor` produces) becomes the hash tag itself
 * (`taskstream:producers:{task:42}`); a topic with its own tag reuses that tag.
 */
export function producersKeyFor(topic: string, prefix: string): string {
  const tag = hashTagOf(topic);
  if (tag !== undefined) return `${prefix}{${tag}}${topic}`;
  // A "}" inside the topic cannot live in a tag; such keys only share a slot on a single Redis.
  return `${prefix}{${topic}}`;
}

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** The Redis Cluster hash slot of `key` (CRC16/XMODEM of its hash tag or whole key, mod 16384). */
export function slotOf(key: string): number {
  const bytes = Buffer.from(hashTagOf(key) ?? key, 'utf8');
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % 16384;
}
