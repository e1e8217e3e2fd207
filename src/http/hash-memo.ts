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

  /** The hash of `key`, from memory when it was remembered; computed (not kept) otherwise. */
  async of(key: string): Promise<string> {
    return this.hashes.get(key) ?? this.digest(key);
  }

  /**
   * Keeps the hash of a key that matched a stored key. Only known keys are kept: a flood of
   * unknown keys must not keep evicting the real ones (every evaluation would digest again), and
   * anyone can send a key of up to the header limit (~128 KB), so longer keys are never kept.
   */
  remember(key: string, hash: string): void {
    if (key.length > this.maxKeyChars || this.hashes.has(key)) return;
    if (this.hashes.size >= this.limit) this.hashes.clear();
    this.hashes.set(key, hash);
  }

  /** Characters of the keys held in memory. */
  retainedChars(): number {
    let n = 0;
    for (const key of this.hashes.keys()) n += key.length;
    return n;
  }
}
