/**
 * Groups `items` by `key`: groups in the order their key first appears, items in their order
 * within each group. How the backends split one read by hash slot, cluster node or topic.
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
