import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis';
import { redactSecrets } from '../../domain/redaction.js';

/** The server answered with a non-2xx status. Its message holds the body's `error`, never a header. */
export class RestHttpError extends Error {
  override readonly name = 'RestHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** No HTTP answer arrived (refused, reset, dropped, timed out). `sent` is false only when the request surely never left. */
export class RestNetworkError extends Error {
  override readonly name = 'RestNetworkError';
  constructor(
    message: string,
    readonly sent: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Settings of {@link createFetchRequester}. */
export interface FetchRequesterOptions {
  readonly url: string;
  readonly token: string;
  /** Timeout of a request that carries no `signal` of its own. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

function decodeBase64(value: unknown): unknown {
  if (typeof value === 'string') return value === 'OK' ? value : Buffer.from(value, 'base64').toString('utf8');
  if (Array.isArray(value)) return value.map(decodeBase64);
  return value;
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function bodyError(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed?.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `@upstash/redis` {@link Requester} on `fetch` that keeps what the SDK's own client throws
 * away: the HTTP status. It asks for base64 responses (`Upstash-Encoding: base64`) and decodes
 * every string back to UTF-8, so payloads arrive byte for byte. The SDK does the rest
 * (command building, `{result}`/`{error}` handling).
 */
export function createFetchRequester(options: FetchRequesterOptions): Requester {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    'upstash-encoding': 'base64',
  };
  return {
    async request<TResult>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
      const path = '/' + (req.path ?? []).join('/');
      let status: number;
      let text: string;
      try {
        const res = await fetchImpl(options.url + path, {
          method: 'POST',
          headers,
          body: JSON.stringify(req.body),
          // A caller that passes its own signal (a held read) owns the timeout.
          signal: req.signal ?? AbortSignal.timeout(options.timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        const code = errorCode(err);
        const reason = code ?? (err instanceof Error ? err.name : 'error');
        throw new RestNetworkError(`no answer from Upstash (${reason}) for POST ${path}`, code !== 'ECONNREFUSED', { cause: err });
      }
      if (status < 200 || status > 299) {
        throw new RestHttpError(status, `Upstash answered HTTP ${status} for POST ${path}: ${redactSecrets(bodyError(text) ?? text, [options.token]).slice(0, 200)}`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new RestHttpError(502, `Upstash answered HTTP ${status} with a body that is not JSON for POST ${path}`);
      }
      if (Array.isArray(body)) {
        return body.map((item: { result?: unknown; error?: string }) => ({ result: decodeBase64(item.result), error: item.error })) as UpstashResponse<TResult>;
      }
      const single = body as { result?: unknown; error?: string };
      return { result: decodeBase64(single.result) as TResult, ...(single.error !== undefined ? { error: single.error } : {}) };
    },
  };
}
