/**
 * Leaf certificates minted on demand, one per set of names, kept while they are fresh: a leaf
 * lives a day and is replaced after half of it (connections already open keep theirs). Minting
 * the same names twice at once mints once. The cache is bounded; the oldest entry goes first.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { LEAF_LIFETIME_MS, type CaSigner, type Leaf } from './x509.js';

export interface ReadyLeaf extends Leaf {
  context: SecureContext;
  renewAt: number;
}

const MAX_ENTRIES = 256;

export class LeafCache {
  private readonly entries = new Map<string, { leaf: Promise<ReadyLeaf>; renewAt: number }>();

  constructor(
    private readonly signer: CaSigner,
    private readonly o: { lifetimeMs?: number; onMint?: (names: readonly string[]) => void; now?: () => number } = {},
  ) {}

  /** A fresh leaf for exactly these names (in this order of preference for the cache key). */
  get(names: readonly string[]): Promise<ReadyLeaf> {
    const key = names.join(',');
    const now = (this.o.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && now < hit.renewAt) return hit.leaf;
    const lifetime = this.o.lifetimeMs ?? LEAF_LIFETIME_MS;
    const leaf = this.signer.mint(names, lifetime, now).then((l) => {
      this.o.onMint?.(l.names);
      return { ...l, context: createSecureContext({ cert: l.certPem, key: l.keyPem, minVersion: 'TLSv1.2' }), renewAt: now + lifetime / 2 };
    });
    this.entries.delete(key);
    this.entries.set(key, { leaf, renewAt: now + lifetime / 2 });
    leaf.catch(() => {
      if (this.entries.get(key)?.leaf === leaf) this.entries.delete(key);
    });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return leaf;
  }

  async context(name: string): Promise<SecureContext> {
    return (await this.get([name])).context;
  }
}
