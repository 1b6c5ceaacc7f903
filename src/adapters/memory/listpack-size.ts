/**
 * Byte sizes of Redis listpack elements (redis 7.0 `listpack.c`), so the memory backend can cut
 * stream nodes where `stream-node-max-bytes` makes Redis cut them.
 *
 * A listpack element is an encoding (type + payload) followed by a back-length. Integers, and
 * strings that are canonical 64-bit decimal integers, are stored in the smallest integer
 * encoding; other strings as length-prefixed bytes.
 */

/** `LP_HDR_SIZE` (total bytes + element count) plus the end-of-listpack byte. */
export const LISTPACK_EMPTY_BYTES = 7;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const CANONICAL_INT = /^(0|-?[1-9][0-9]{0,18})$/;

/** Bytes the back-length of an element whose encoding takes `encodedLength` bytes adds. */
function backlenBytes(encodedLength: number): number {
  if (encodedLength <= 127) return 1;
  if (encodedLength < 16_383) return 2;
  if (encodedLength < 2_097_151) return 3;
  if (encodedLength < 268_435_455) return 4;
  return 5;
}

/** Bytes of an integer element (encoding + back-length). */
export function intElementBytes(value: bigint | number): number {
  const v = typeof value === 'bigint' ? value : BigInt(value);
  let encoded: number;
  if (v >= 0n && v <= 127n) encoded = 1;
  else if (v >= -4096n && v <= 4095n) encoded = 2;
  else if (v >= -32_768n && v <= 32_767n) encoded = 3;
  else if (v >= -8_388_608n && v <= 8_388_607n) encoded = 4;
  else if (v >= -2_147_483_648n && v <= 2_147_483_647n) encoded = 5;
  else encoded = 9;
  return encoded + backlenBytes(encoded);
}

/** Bytes of a string element, which listpack stores as an integer when it is one. */
export function stringElementBytes(value: string, utf8Length: number): number {
  if (utf8Length <= 20 && CANONICAL_INT.test(value)) {
    const v = BigInt(value);
    if (v >= INT64_MIN && v <= INT64_MAX) return intElementBytes(v);
  }
  let encoded: number;
  if (utf8Length < 64) encoded = 1 + utf8Length;
  else if (utf8Length < 4096) encoded = 2 + utf8Length;
  else encoded = 5 + utf8Length;
  return encoded + backlenBytes(encoded);
}

/** Length of `value` in UTF-8 bytes, as a Redis client sends it (lone surrogates become U+FFFD). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
