/**
 * A Map that holds at most `limit` entries: adding a key when it is full forgets the oldest one.
 * For memo caches (decoded keys and signatures, key objects) that would otherwise grow with every
 * caller ever seen.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}
