/**
 * `tcdeals sync`: pulls every deal of a time range through either API, page by page within the
 * rate limit, into a sink, checkpointing after each page.
 *
 * - A run with the same service and range as an unfinished checkpoint resumes at its next page.
 * - `incremental` re-pulls a trailing window (default 15 days) before the last completed run's
 *   end up to `to`, upserting by the deal's key, to catch status changes and late deals.
 */
import type { TencentCloudClient } from '../client/client.js';
import { agentDealPages, billingDealPages } from '../client/pages.js';
import { DAY_MS, formatDateTime, parseDateTime } from '../protocol/datetime.js';
import type { Checkpoint, PagePosition, SyncService } from './checkpoint.js';
import type { Sink, SyncMode } from './sinks/sink.js';

export const DEFAULT_TRAILING_DAYS = 15;

/** A plain Offset/Limit list as one window of sync pages (resumable by offset). */
async function* listAsPages<T>(
  limit: number,
  startAt: PagePosition | undefined,
  fetch: (offset: number, limit: number) => Promise<{ items: T[]; total: number }>,
): AsyncGenerator<{ deals: T[]; next: PagePosition | null; window: number; windowCount: number; totalInWindow: number; duplicatesDropped: number }> {
  const seen = new Set<string>();
  for (let offset = startAt?.offset ?? 0; ; ) {
    const { items, total } = await fetch(offset, limit);
    offset += items.length;
    const done = items.length === 0 || offset >= total;
    // Offset paging of a list that changes may repeat an element: keep the first.
    const fresh = items.filter((i) => {
      const key = JSON.stringify([(i as Record<string, unknown>).DealName ?? (i as Record<string, unknown>).ClientUin]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    yield { deals: fresh, next: done ? null : { window: 0, offset }, window: 0, windowCount: 1, totalInWindow: total, duplicatesDropped: items.length - fresh.length };
    if (done) return;
  }
}

export interface SyncProgress {
  window: number;
  windowCount: number;
  /** Deals seen so far in this window (of `totalInWindow`). */
  offset: number;
  totalInWindow: number;
  pages: number;
  written: number;
  elapsedMs: number;
}

export interface SyncOptions {
  client: TencentCloudClient;
  service: SyncService;
  from: string;
  to: string;
  sink: Sink;
  pageSize?: number;
  /** Billing `Offset` meaning on the target server. */
  offsetMode?: 'rows' | 'pages';
  incremental?: boolean;
  trailingDays?: number;
  onProgress?(p: SyncProgress): void;
  now?: () => number;
}

export interface SyncSummary {
  mode: SyncMode | 'complete';
  service: SyncService;
  from: string;
  to: string;
  resumedAt?: PagePosition;
  pages: number;
  written: number;
  duplicatesDropped: number;
  /** Deals in the destination after the run. */
  total: number;
  ms: number;
}

function sameRun(cp: Checkpoint, o: SyncOptions): boolean {
  return cp.service === o.service && cp.from === o.from && cp.to === o.to;
}

export async function runSync(o: SyncOptions): Promise<SyncSummary> {
  const now = o.now ?? Date.now;
  const started = now();
  if (parseDateTime(o.from) === undefined || parseDateTime(o.to) === undefined) {
    throw new Error(`--from and --to must be date-times formatted YYYY-MM-DD HH:mm:ss (got ${JSON.stringify(o.from)}, ${JSON.stringify(o.to)})`);
  }
  if (o.to < o.from) throw new Error(`--to ${o.to} is before --from ${o.from}`);

  const previous = await o.sink.loadCheckpoint();
  if (previous && previous.service !== o.service) {
    throw new Error(`the destination holds a ${previous.service} sync; use another --out for ${o.service}`);
  }

  let mode: SyncMode = 'fresh';
  let from = o.from;
  let startAt: PagePosition | undefined;
  if (o.incremental && previous?.completedTo) {
    mode = 'incremental';
    const anchor = parseDateTime(previous.completedTo)! - (o.trailingDays ?? DEFAULT_TRAILING_DAYS) * DAY_MS;
    from = formatDateTime(Math.max(anchor, parseDateTime(o.from)!));
  } else if (previous && sameRun(previous, o)) {
    if (previous.next === null) {
      return { mode: 'complete', service: o.service, from: o.from, to: o.to, pages: 0, written: 0, duplicatesDropped: 0, total: await o.sink.count(), ms: now() - started };
    }
    mode = 'resume';
    startAt = previous.next;
  }

  await o.sink.begin(mode, previous);
  const base: Checkpoint = {
    service: o.service,
    from: mode === 'incremental' ? from : o.from,
    to: o.to,
    next: startAt ?? { window: 0, offset: 0 },
    written: mode === 'resume' ? previous!.written : 0,
  };
  let cp: Checkpoint = { ...base, completedTo: previous?.completedTo };
  let pages = 0;
  let duplicatesDropped = 0;

  const iterator =
    o.service === 'partners-clients'
      ? listAsPages(o.pageSize ?? 2000, startAt, (Offset, Limit) => o.client.describeAgentAuditedClients({ Offset, Limit, OrderDirection: 'ASC' }).then((r) => ({ items: r.AgentClientSet, total: r.TotalCount })))
      : o.service === 'partners-pay-deals'
        ? listAsPages(o.pageSize ?? 100, startAt, (Offset, Limit) =>
            // The action reads the last 15 days of its own clock: no start, the range's end.
            o.client.describeAgentPayDealsV2({ Offset, Limit, Order: 1, CreatTimeRangeEnd: o.to }).then((r) => ({ items: r.AgentPayDealSet, total: r.TotalCount })),
          )
        : o.service === 'partners'
          ? agentDealPages(o.client, { from, to: o.to, pageSize: o.pageSize ?? 200, startAt })
          : billingDealPages(o.client, { from, to: o.to, pageSize: o.pageSize ?? 100, offsetMode: o.offsetMode ?? 'rows', startAt });

  let window = -1;
  let seenInWindow = 0;
  for await (const page of iterator) {
    pages++;
    if (page.window !== window) [window, seenInWindow] = [page.window, 0];
    seenInWindow += page.deals.length + page.duplicatesDropped;
    duplicatesDropped += page.duplicatesDropped;
    cp = { ...cp, next: page.next, written: cp.written + page.deals.length };
    await o.sink.writePage(page.deals as unknown as Array<Record<string, unknown>>, cp);
    o.onProgress?.({
      window: page.window,
      windowCount: page.windowCount,
      offset: seenInWindow,
      totalInWindow: page.totalInWindow,
      pages,
      written: cp.written,
      elapsedMs: now() - started,
    });
  }

  const done: Checkpoint = { ...cp, next: null, completedTo: o.to };
  await o.sink.finish(done);
  return {
    mode,
    service: o.service,
    from,
    to: o.to,
    resumedAt: startAt,
    pages,
    written: cp.written,
    duplicatesDropped,
    total: await o.sink.count(),
    ms: now() - started,
  };
}
