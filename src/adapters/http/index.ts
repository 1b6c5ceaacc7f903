export { formatSseFrame, formatSseComment, formatSseRetry, sseDataLines, sseJson, type SseFrame } from './sse-frame.js';
export { guardTaskId, isSafeTaskId } from './topic-guard.js';
export { resolveSseOptions, type AuthorizeDecision, type SseOptions, type SseStartPosition, type ResolvedSseOptions } from './sse-options.js';
export type { SseSource, SseStart, SseSubscribeRequest, SseSubscription } from './sse-source.js';
export { toSseSource, type SubscriberLike } from './subscriber-source.js';
export type { SseControlEvent } from './sse-events.js';
export { SSE_HEADERS, createSseHandler, resumePointOf, sseResponse } from './sse-response.js';
export { jsonError, type HttpErrorBody } from './http-errors.js';
export { sendSse, toWebRequest, writeWebResponse } from './node-http.js';
