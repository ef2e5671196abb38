/**
 * Every page of a query over any time range: the range is cut into windows the action accepts
 * (`splitWindows`), each window is walked page by page, and every yielded page carries a cursor
 * (`next`) from which a later iteration resumes exactly where this one stopped.
 *
 * A page is yielded for every request made, including an empty one (an empty window, or a window
 * whose last page came back short), so that a checkpoint can be taken after any request.
 *
 * Pages can shift while a sync runs (deals added or changed before the cursor), which repeats a
 * deal on the next page: within one iteration a deal already yielded is dropped and counted in
 * `duplicatesDropped`. A deal added *behind* the cursor is not seen by this iteration; a sync that
 * must catch those overlaps its next run with the previous one.
 */
import type { TencentCloudClient } from './client.js';
import type { AgentDealNewElem, BillingDeal, DescribeAgentDealsByCacheRequest } from './types.js';
import { splitWindows, type TimeWindow } from './windows.js';

/** Where an iteration stands: the window's index (in walk order) and the `Offset` to send next. */
export interface PageCursor {
  window: number;
  offset: number;
}

export interface DealPage<T> {
  /** Index of this page's window, in walk order. */
  window: number;
  windowCount: number;
  windowStart: string;
  windowEnd: string;
  /** The `Offset` this page was requested with (a page index in billing's `pages` mode). */
  offset: number;
  /** `TotalCount` of this window, as this page's answer gave it. */
  totalInWindow: number;
  /** The page's deals, minus those this iteration already yielded. */
  deals: T[];
  duplicatesDropped: number;
  /** Pass as `startAt` to resume right after this page. `window === windowCount` means done. */
  next: PageCursor;
}

/** Just what the iterators need from a client, so a test double fits too. */
export type PagesClient = Pick<TencentCloudClient, 'describeDealsByCond' | 'describeAgentDealsByCache'>;

export interface AgentDealFilters {
  Status?: number;
  OwnerUins?: string[];
  DealNames?: string[];
  BigDealIds?: string[];
  PayerMode?: number;
}

export interface AgentDealPagesOptions {
  /** Inclusive, `YYYY-MM-DD HH:mm:ss`. */
  from: string;
  /** Inclusive. */
  to: string;
  /** 1..200, default 200. */
  pageSize?: number;
  /**
   * `asc` (default): windows oldest first, each walked oldest first (`Order` 1), so deals created
   * during the sync land after the cursor instead of shifting the pages. `desc`: windows newest
   * first, each newest first (`Order` 0).
   */
  order?: 'asc' | 'desc';
  filters?: AgentDealFilters;
  startAt?: PageCursor;
}

export const ALL_BILLING_STATUSES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30];

export interface BillingDealPagesOptions {
  from: string;
  to: string;
  /** 1..1000, default 100. */
  pageSize?: number;
  /** How the server reads `Offset`: a row offset (default) or a page index ("第多少页"). */
  offsetMode?: 'rows' | 'pages';
  /** Sent as `StatusSet`; default every status, since the server's default `Status` 4 would hide the rest. */
  statuses?: number[];
  startAt?: PageCursor;
}

interface Fetched<T> {
  items: T[];
  total: number;
}

interface Walk<T> {
  windows: TimeWindow[];
  /** Already checked against `windows`. */
  startAt: PageCursor;
  fetchPage(window: TimeWindow, offset: number): Promise<Fetched<T>>;
  keyOf(item: T): string;
  /** The next `Offset` and whether the window is exhausted, after a page of `length` rows at `offset`. */
  advance(offset: number, length: number, total: number): { offset: number; done: boolean };
}

function checkPageSize(pageSize: number, max: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max) throw new RangeError(`pageSize must be an integer in 1..${max}, got ${pageSize}`);
  return pageSize;
}

function checkCursor(cursor: PageCursor | undefined, windowCount: number): PageCursor {
  const c = cursor ?? { window: 0, offset: 0 };
  if (!Number.isInteger(c.window) || c.window < 0 || c.window > windowCount || !Number.isInteger(c.offset) || c.offset < 0) {
    throw new RangeError(`startAt ${JSON.stringify(cursor)} is not a cursor of this query (${windowCount} windows)`);
  }
  return c;
}

async function* walk<T>(w: Walk<T>): AsyncGenerator<DealPage<T>, void, undefined> {
  const windowCount = w.windows.length;
  const start = w.startAt;
  const seen = new Set<string>();
  for (let index = start.window; index < windowCount; index++) {
    const window = w.windows[index]!;
    let offset = index === start.window ? start.offset : 0;
    for (;;) {
      const { items, total } = await w.fetchPage(window, offset);
      const deals: T[] = [];
      for (const item of items) {
        const key = w.keyOf(item);
        if (seen.has(key)) continue;
        seen.add(key);
        deals.push(item);
      }
      const step = w.advance(offset, items.length, total);
      const next = step.done ? { window: index + 1, offset: 0 } : { window: index, offset: step.offset };
      yield {
        window: index,
        windowCount,
        windowStart: window.start,
        windowEnd: window.end,
        offset,
        totalInWindow: total,
        deals,
        duplicatesDropped: items.length - deals.length,
        next,
      };
      if (step.done) break;
      offset = step.offset;
    }
  }
}

/** Every page of the calling agent's deals in [from, to], through `DescribeAgentDealsByCache`. */
export function agentDealPages(client: PagesClient, options: AgentDealPagesOptions): AsyncGenerator<DealPage<AgentDealNewElem>, void, undefined> {
  const pageSize = checkPageSize(options.pageSize ?? 200, 200);
  const descending = options.order === 'desc';
  if (options.order !== undefined && options.order !== 'asc' && !descending) throw new RangeError(`order must be 'asc' or 'desc', got ${String(options.order)}`);
  const windows = splitWindows(options.from, options.to, '90d');
  if (descending) windows.reverse();
  const filters = options.filters ?? {};
  return walk<AgentDealNewElem>({
    windows,
    startAt: checkCursor(options.startAt, windows.length),
    keyOf: (d) => d.DealName,
    async fetchPage(window, offset) {
      const req: DescribeAgentDealsByCacheRequest = {
        Offset: offset,
        Limit: pageSize,
        CreatTimeRangeStart: window.start,
        CreatTimeRangeEnd: window.end,
        Order: descending ? 0 : 1,
        ...(filters.Status !== undefined ? { Status: filters.Status } : {}),
        ...(filters.OwnerUins?.length ? { OwnerUins: filters.OwnerUins } : {}),
        ...(filters.DealNames?.length ? { DealNames: filters.DealNames } : {}),
        ...(filters.BigDealIds?.length ? { BigDealIds: filters.BigDealIds } : {}),
        ...(filters.PayerMode !== undefined ? { PayerMode: filters.PayerMode } : {}),
      };
      const res = await client.describeAgentDealsByCache(req);
      return { items: res.AgentDealSet ?? [], total: res.TotalCount ?? 0 };
    },
    advance(offset, length, total) {
      const next = offset + length;
      return { offset: next, done: length < pageSize || next >= total };
    },
  });
}

/**
 * Every page of the caller's own deals in [from, to], through `DescribeDealsByCond`. Windows are
 * walked oldest first; within a window the server answers newest first.
 */
export function billingDealPages(client: PagesClient, options: BillingDealPagesOptions): AsyncGenerator<DealPage<BillingDeal>, void, undefined> {
  const pageSize = checkPageSize(options.pageSize ?? 100, 1000);
  const mode = options.offsetMode ?? 'rows';
  if (mode !== 'rows' && mode !== 'pages') throw new RangeError(`offsetMode must be 'rows' or 'pages', got ${String(mode)}`);
  const statuses = options.statuses ?? ALL_BILLING_STATUSES;
  if (statuses.length === 0) throw new RangeError('statuses must not be empty');
  const windows = splitWindows(options.from, options.to, '3m');
  return walk<BillingDeal>({
    windows,
    startAt: checkCursor(options.startAt, windows.length),
    keyOf: (d) => d.OrderId,
    async fetchPage(window, offset) {
      const res = await client.describeDealsByCond({
        StartTime: window.start,
        EndTime: window.end,
        Limit: pageSize,
        Offset: offset,
        StatusSet: [...statuses],
      });
      return { items: res.Deals ?? [], total: res.TotalCount ?? 0 };
    },
    advance(offset, length, total) {
      // rows: Offset counts rows; pages: Offset is the page index.
      const next = mode === 'rows' ? offset + length : offset + 1;
      const consumed = mode === 'rows' ? next : next * pageSize;
      return { offset: next, done: length < pageSize || consumed >= total };
    },
  });
}
