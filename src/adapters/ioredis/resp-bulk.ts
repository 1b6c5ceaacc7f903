// RESP bulk strings (`$<bytes>\r\n<text>\r\n`) written straight into a buffer, for the requests
// the adapter encodes itself (the reader's XREAD, the multi-append script call).

const DOLLAR = 36;
const CR = 13;
const LF = 10;
const ZERO = 48;

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  for (; n >= 10; d++) n = Math.floor(n / 10);
  return d;
}

/** Bytes of a bulk string holding `bytes` bytes. */
export function bulkSize(bytes: number): number {
  return 1 + digits(bytes) + 2 + bytes + 2;
}

/** Writes `$<bytes>\r\n` at `at`; returns where the text goes. */
export function writeBulkHeader(wire: Buffer, at: number, bytes: number): number {
  wire[at++] = DOLLAR;
  const d = digits(bytes);
  for (let i = d - 1, n = bytes; i >= 0; i--, n = Math.floor(n / 10)) wire[at + i] = ZERO + (n % 10);
  at += d;
  wire[at++] = CR;
  wire[at++] = LF;
  return at;
}

/** Writes ASCII text one byte per character; returns the end. */
export function writeAscii(wire: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) wire[at++] = text.charCodeAt(i);
  return at;
}

/** Writes the bulk string of `text`, whose UTF-8 length is `bytes`; returns its end. */
export function writeBulk(wire: Buffer, at: number, text: string, bytes: number): number {
  at = writeBulkHeader(wire, at, bytes);
  // ASCII (as many bytes as characters) and short: a loop is cheaper than a native write
  if (bytes === text.length && bytes <= 64) at = writeAscii(wire, at, text);
  else if (bytes > 0) at += wire.write(text, at, 'utf8');
  wire[at++] = CR;
  wire[at++] = LF;
  return at;
}
