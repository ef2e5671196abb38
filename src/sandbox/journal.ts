/**
 * The request journal: the last N API calls, newest last, for sandbox users to see what their
 * client really sent and what it got. Secrets never enter it: parameters are redacted by name,
 * and only the SecretId (never a key or signature) identifies the credential.
 */
export interface JournalEntry {
  seq: number;
  time: string;
  requestId: string;
  traceId?: string;
  action?: string;
  version?: string;
  uin?: string;
  secretId?: string;
  scheme?: 'tc3' | 'v1';
  /** How the call arrived: plain HTTP (`direct`), the TLS port (`tls`), or through proxy mode (`proxy`). */
  via?: 'direct' | 'tls' | 'proxy';
  /** The host the call was addressed to (its Host header, or the proxy target). */
  host?: string;
  params?: unknown;
  code: string;
  latencyMs: number;
  /** Set when a fault rule answered this call. */
  fault?: string;
}

export interface JournalFilter {
  action?: string;
  uin?: string;
  code?: string;
  /** Entries with `seq` greater than this. */
  after?: number;
  limit?: number;
}

const SECRET_NAME = /secret|signature|token|authorization|password/i;

/** Copies a parameter value with anything secret-looking by name replaced; depth-bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: SECRET_NAME.test(k) ? '***' : redact(v, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 512) return `${value.slice(0, 509)}...`;
  return value;
}

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;

  constructor(private capacity = 1000) {}

  record(entry: Omit<JournalEntry, 'seq'>): void {
    this.entries.push({ ...entry, seq: ++this.seq, params: entry.params === undefined ? undefined : redact(entry.params) });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const out = this.entries.filter(
      (e) =>
        (filter.action === undefined || e.action === filter.action) &&
        (filter.uin === undefined || e.uin === filter.uin) &&
        (filter.code === undefined || e.code === filter.code) &&
        (filter.after === undefined || e.seq > filter.after),
    );
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  clear(): void {
    this.entries = [];
  }

  resize(capacity: number): void {
    this.capacity = capacity;
    if (this.entries.length > capacity) this.entries.splice(0, this.entries.length - capacity);
  }

  get size(): number {
    return this.capacity;
  }
}
