import { DEFAULT_SETTINGS, SETTINGS_ENV, resolveSettings, settingsFromEnv, type StreamSettings } from '../domain/config.js';
import { TaskStreamError } from '../domain/errors.js';
import { REDACTED, redactUrl, urlSecrets } from '../domain/redaction.js';

/** The backends a container can bind the `StreamRepository` port to. */
export type BackendKind = 'memory' | 'redis' | 'upstash';

/** Which backend, and how to reach it. */
export type BackendConfig =
  | { readonly kind: 'memory' }
  | { readonly kind: 'redis'; /** `redis://` or `rediss://` URL. */ readonly url: string }
  | { readonly kind: 'upstash'; /** REST URL. */ readonly url: string; /** REST token; never logged. */ readonly token: string };

/** What {@link createContainer} builds from. */
export interface TaskStreamConfig {
  readonly backend: BackendConfig;
  /** Retention, key prefix and batching. @default DEFAULT_SETTINGS */
  readonly settings: StreamSettings;
}

/** The environment variables {@link configFromEnv} reads besides {@link SETTINGS_ENV}. */
export const BACKEND_ENV = {
  backend: 'TASKSTREAM_BACKEND',
  redisUrl: 'REDIS_URL',
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
} as const;

const BACKENDS: readonly BackendKind[] = ['memory', 'redis', 'upstash'];
const KNOWN_TASKSTREAM_VARIABLES = new Set<string>([BACKEND_ENV.backend, ...Object.values(SETTINGS_ENV)]);

function invalid(variable: string, message: string, value?: unknown): TaskStreamError {
  // The value is kept out of tokens' messages and details.
  const details = variable === BACKEND_ENV.upstashToken || value === undefined ? { variable } : { variable, value };
  return new TaskStreamError('INVALID_CONFIG', `${variable}: ${message}`, { details });
}

function checkUrl(variable: string, raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new TaskStreamError('INVALID_CONFIG', `${variable}: not a URL`, { cause: err, details: { variable }, secrets: urlSecrets(raw) });
  }
  if (!protocols.includes(url.protocol)) {
    throw new TaskStreamError('INVALID_CONFIG', `${variable}: must use ${protocols.join(' or ')}, got ${url.protocol}`, { details: { variable }, secrets: urlSecrets(raw) });
  }
  return raw;
}

/**
 * The backend config as it prints: the URL's password and the token replaced by `[redacted]`.
 * `JSON.stringify`, `util.inspect` and `console.log` of a config (or of the container's
 * `config`) show this; reading `backend.url` or `backend.token` still gives the real value.
 */
export function printableBackend(backend: BackendConfig): Record<string, string> {
  if (backend.kind === 'memory') return { kind: 'memory' };
  if (backend.kind === 'redis') return { kind: 'redis', url: redactUrl(backend.url) };
  return { kind: 'upstash', url: redactUrl(backend.url), token: REDACTED };
}

/** The credentials a backend config holds (URL password, token), for redaction. */
export function backendSecrets(backend: BackendConfig): string[] {
  if (backend.kind === 'memory') return [];
  return [...urlSecrets(backend.url), ...(backend.kind === 'upstash' ? [backend.token] : [])];
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Adds non-enumerable `toJSON`/`toString`/inspect hooks that print {@link printableBackend}; spreading or reading fields is unchanged. */
function redactedWhenPrinted<T extends BackendConfig>(backend: T): T {
  const printable = (): Record<string, string> => printableBackend(backend);
  for (const [key, value] of [
    ['toJSON', printable],
    ['toString', () => JSON.stringify(printable())],
    [INSPECT, (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) => (inspect ? inspect(printable(), options) : printable())],
  ] as const) {
    Object.defineProperty(backend, key, { value, enumerable: false });
  }
  return backend;
}

/** Checks a programmatic config; throws `INVALID_CONFIG` naming the field (or its environment variable). */
export function validateConfig(config: { backend: BackendConfig; settings?: Partial<StreamSettings> }): TaskStreamConfig {
  const backend = config.backend as { kind?: unknown; url?: unknown; token?: unknown };
  if (!BACKENDS.includes(backend.kind as BackendKind)) {
    throw invalid(BACKEND_ENV.backend, `unknown backend ${JSON.stringify(backend.kind)} (want ${BACKENDS.join(', ')})`, backend.kind);
  }
  const requireString = (variable: string, value: unknown): string => {
    if (typeof value !== 'string' || value.trim() === '') throw invalid(variable, `required for the ${String(backend.kind)} backend`);
    return value.trim();
  };
  let resolved: BackendConfig;
  if (backend.kind === 'redis') {
    resolved = redactedWhenPrinted({ kind: 'redis', url: checkUrl(BACKEND_ENV.redisUrl, requireString(BACKEND_ENV.redisUrl, backend.url), ['redis:', 'rediss:']) });
  } else if (backend.kind === 'upstash') {
    const url = checkUrl(BACKEND_ENV.upstashUrl, requireString(BACKEND_ENV.upstashUrl, backend.url), ['https:', 'http:']);
    resolved = redactedWhenPrinted({ kind: 'upstash', url, token: requireString(BACKEND_ENV.upstashToken, backend.token) });
  } else {
    resolved = { kind: 'memory' };
  }
  return { backend: resolved, settings: resolveSettings(config.settings ?? DEFAULT_SETTINGS) };
}

/**
 * Reads a config from environment variables: `TASKSTREAM_BACKEND` (`memory`, the default when
 * unset, `redis` or `upstash`), `REDIS_URL` (required for `redis`), `UPSTASH_REDIS_REST_URL` and
 * `UPSTASH_REDIS_REST_TOKEN` (required for `upstash`), and the settings of `settingsFromEnv`
 * (`REDIS_STREAM_MAXLEN`, `REDIS_STREAM_TTL_SECONDS`, `TASKSTREAM_KEY_PREFIX`, …).
 * An unknown backend, a missing or malformed required variable, a bad setting, or an unknown
 * `TASKSTREAM_*` variable (a typo would otherwise be ignored) throws `INVALID_CONFIG` whose
 * message and `details.variable` name the variable.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): TaskStreamConfig {
  for (const name of Object.keys(env)) {
    if (name.startsWith('TASKSTREAM_') && !KNOWN_TASKSTREAM_VARIABLES.has(name)) {
      throw invalid(name, `unknown setting (known: ${[...KNOWN_TASKSTREAM_VARIABLES].sort().join(', ')})`);
    }
  }
  const raw = env[BACKEND_ENV.backend]?.trim() || 'memory';
  const kind = raw.toLowerCase();
  const settings = settingsFromEnv(env);
  const backend =
    kind === 'redis'
      ? { kind, url: env[BACKEND_ENV.redisUrl] }
      : kind === 'upstash'
        ? { kind, url: env[BACKEND_ENV.upstashUrl], token: env[BACKEND_ENV.upstashToken] }
        : { kind };
  return validateConfig({ backend: backend as BackendConfig, settings });
}
