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
