/**
 * SHA-256 hex of recently seen client keys: the hash of a key is the same every time, and
 * digesting costs more than the evaluation. Bounded in entries and in the characters it keeps.
 */
export class HashMemo {
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly digest: (text: string) => Promise<string>,
    private readonly limit = 1024,
    /** Longer keys are hashed but not kept: no key Rollgate issues is longer (imported secrets are at most 256). */
    private readonly maxKeyChars = 256,
  ) {}

  /** The hash of `key`, from memory when it was seen recently. */
  async of(key: string): Promise<string> {
    const hit = this.hashes.get(key);
    if (hit !== undefined) return hit;
    const hash = await this.digest(key);
    // Anyone can send a key of up to the header limit (~128 KB): keeping those would let 1,024
    // requests without a valid key hold ~100 MB of an isolate's 128 MB.
    if (key.length > this.maxKeyChars) return hash;
    if (this.hashes.size >= this.limit) this.hashes.clear();
    this.hashes.set(key, hash);
    return hash;
  }

  /** Characters of the keys held in memory. */
  retainedChars(): number {
    let n = 0;
    for (const key of this.hashes.keys()) n += key.length;
    return n;
  }
}
