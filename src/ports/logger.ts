/** Structured fields attached to a log line. Never put credentials here. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where taskstream reports what it cannot throw (a failed TTL refresh, a retried publish). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
