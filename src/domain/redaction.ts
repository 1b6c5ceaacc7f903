/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: they would match ordinary text and say nothing. */
const MIN_SECRET_LENGTH = 3;

/** How deep {@link sanitizeCause} follows `cause` (and `errors`) before it stops copying. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Properties copied from an error into its sanitized copy. Everything else is dropped: that is
 * where libraries keep what they sent or parsed (`input` of a URL `TypeError`, ioredis's
 * `command.args` of `AUTH`/`HELLO`, request options and headers).
 */
const KEPT_PROPERTIES = ['code', 'errno', 'syscall', 'address', 'port', 'status'] as const;

const BUILTIN_ERRORS: readonly ErrorConstructor[] = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The forms a secret may take in text: as given, percent-decoded, percent-encoded, and escaped
 * inside a JSON string (a proxy echoing a token in a JSON body).
 */
export function secretVariants(secrets: Iterable<string | undefined>): string[] {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of [secret, safeDecode(secret), encodeURIComponent(secret)]) {
      variants.add(form);
      variants.add(JSON.stringify(form).slice(1, -1));
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of every secret (in each form of {@link secretVariants}) replaced by {@link REDACTED}. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const variant of secretVariants(secrets)) {
    if (out.includes(variant)) out = out.split(variant).join(REDACTED);
  }
  return out;
}

const SECRET_QUERY = /([?&;][^=&#;]*(?:pass|token|secret|auth|key)[^=&#;]*=)([^&#;]*)/gi;

/** Where the user-info of a URL-like string sits: between `://` and the last `@` (ioredis and WHATWG may disagree on more). */
function userInfoRange(url: string): [number, number] | undefined {
  const start = url.indexOf('://');
  const at = url.lastIndexOf('@');
  return start >= 0 && at > start + 3 ? [start + 3, at] : undefined;
}

/**
 * The secrets a connection URL carries: its password (as written and decoded), the whole
 * user-info and what follows its first `:` (so a malformed URL, or one whose unencoded
 * password confuses a parser, is covered), and the values of `password`/`token`-like query
 * parameters.
 */
export function urlSecrets(url: string | undefined): string[] {
  if (typeof url !== 'string' || url === '') return [];
  const found: string[] = [];
  const range = userInfoRange(url);
  if (range !== undefined) {
    const userInfo = url.slice(range[0], range[1]);
    const colon = userInfo.indexOf(':');
    found.push(colon >= 0 ? userInfo.slice(colon + 1) : userInfo);
    if (colon >= 0 && colon + 1 < userInfo.length) found.push(userInfo);
  }
  try {
    const parsed = new URL(url);
    if (parsed.password) found.push(parsed.password, safeDecode(parsed.password));
  } catch {
    // The raw user-info above is all there is.
  }
  for (const match of url.matchAll(SECRET_QUERY)) if (match[2]) found.push(match[2], safeDecode(match[2]));
  return found;
}

/**
 * A URL fit for logs and `util.inspect`: its whole user-info (user and password) and the values
 * of secret-looking query parameters replaced by {@link REDACTED}. Works on the raw text, so a
 * URL that does not parse is scrubbed the same way.
 */
export function redactUrl(url: string): string {
  const range = userInfoRange(url);
  const withoutUserInfo = range === undefined ? url : `${url.slice(0, range[0])}${REDACTED}${url.slice(range[1])}`;
  return withoutUserInfo.replace(SECRET_QUERY, (_all, key: string) => `${key}${REDACTED}`);
}

function copyError(err: Error, secrets: readonly string[], depth: number, keep: (err: Error) => Error | undefined): Error {
  const kept = keep(err);
  if (kept !== undefined) return kept;
  const Ctor = BUILTIN_ERRORS.find((C) => Object.getPrototypeOf(err) === C.prototype) ?? Error;
  const message = redactSecrets(String(err.message), secrets);
  const next = (value: unknown): unknown => (depth + 1 >= MAX_CAUSE_DEPTH ? undefined : sanitizeAt(value, secrets, depth + 1, keep));
  const cause = 'cause' in err ? next(err.cause) : undefined;
  const copy = cause === undefined ? new Ctor(message) : new Ctor(message, { cause });
  const name = String(err.name);
  if (copy.name !== name) Object.defineProperty(copy, 'name', { value: redactSecrets(name, secrets), configurable: true, writable: true });
  Object.defineProperty(copy, 'stack', { value: redactSecrets(String(err.stack ?? `${name}: ${message}`), secrets), configurable: true, writable: true });
  const record = err as unknown as Record<string, unknown>;
  for (const key of KEPT_PROPERTIES) {
    const value = record[key];
    if (typeof value === 'number') (copy as unknown as Record<string, unknown>)[key] = value;
    else if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[key] = redactSecrets(value, secrets);
  }
  if (Array.isArray(record['errors'])) {
    (copy as unknown as Record<string, unknown>)['errors'] = record['errors'].slice(0, 16).map(next);
  }
  return copy;
}

function sanitizeAt(value: unknown, secrets: readonly string[], depth: number, keep: (err: Error) => Error | undefined): unknown {
  if (value === undefined || value === null) return value;
  if (value instanceof Error) return copyError(value, secrets, depth, keep);
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (typeof value !== 'object' && typeof value !== 'function') return value;
  // A thrown non-error object (an abort reason, a library's plain object): keep only its text.
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return redactSecrets(text.length > 500 ? `${text.slice(0, 500)}…` : text, secrets);
}

/**
 * A copy of `cause` safe to print whole: each error down the `cause` chain becomes an error of
 * the same built-in class (or a plain `Error` keeping the original `name`) with its message,
 * stack, name and `code`/`errno`/`syscall`/`status` redacted of `secrets`, and every other
 * property dropped. `keep` may return an error to use as is (one already sanitized).
 */
export function sanitizeCause(cause: unknown, secrets: readonly string[], keep: (err: Error) => Error | undefined = () => undefined): unknown {
  return sanitizeAt(cause, secrets, 0, keep);
}

/** True when any secret (in any form of {@link secretVariants}) occurs in `text`. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secretVariants(secrets).some((variant) => text.includes(variant));
}
