/** A deal table on TanStack Table (core): columns, rows, a big deal's adjacent parts grouped. */
import { createTable, getCoreRowModel, type ColumnDef } from '@tanstack/table-core';
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import type { Deal, ViewDef } from '../deals';
import { money } from '../format';
import { statusName, t } from '../i18n';

interface Props {
  view: ViewDef;
  rows: Deal[];
  onOpen: (d: Deal) => void;
  caption: string;
}

export function DealTable({ view, rows, onOpen, caption }: Props) {
  const columns = useMemo<ColumnDef<Deal, unknown>[]>(() => {
    const cols: ColumnDef<Deal, unknown>[] = [
      {
        id: 'key',
        header: t('dealName'),
        accessorFn: (d) => String(d[view.key]),
        cell: (c) => (
          <button type="button" class="link" data-deal={String(c.getValue())} onClick={() => onOpen(c.row.original)}>
            {String(c.getValue())}
          </button>
        ),
      },
      { id: 'time', header: t('created'), accessorFn: (d) => String(d[view.time]), cell: (c) => <span class="mono">{String(c.getValue())}</span> },
    ];
    if (view.name === 'partners') cols.push({ id: 'owner', header: t('client'), accessorFn: (d) => view.owner(d) });
    cols.push(
      { id: 'product', header: t('product'), accessorFn: (d) => view.product(d) },
      { id: 'action', header: t('action'), accessorFn: (d) => view.action_(d) },
      {
        id: 'status',
        header: t('status'),
        accessorFn: (d) => view.status(d),
        cell: (c) => <span class={`status s${String(c.getValue())}`}>{statusName(c.getValue() as number)}</span>,
      },
      {
        id: 'amount',
        header: t('amount'),
        accessorFn: (d) => view.cost(d),
        cell: (c) => {
          const v = c.getValue() as number;
          return (
            <span class={v < 0 ? 'neg' : ''}>
              {money(v)}
              {v < 0 ? <span class="badge refund"> {t('refund')}</span> : null}
            </span>
          );
        },
      },
    );
    if (view.name === 'partners') {
      cols.push({
        id: 'payer',
        header: t('payerMode'),
        accessorFn: (d) => view.payer(d),
        cell: (c) => (c.getValue() === 1 ? <span class="badge agent">{t('agentPaid')}</span> : <span class="badge self">{t('selfPaid')}</span>),
      });
    }
    cols.push({ id: 'big', header: t('bigDealId'), accessorFn: (d) => view.bigDeal(d), cell: (c) => <span class="mono">{String(c.getValue())}</span> });
    return cols;
  }, [view, onOpen, t('dealName')]);

  const options = { data: rows, columns, getCoreRowModel: getCoreRowModel<Deal>(), state: {}, onStateChange: () => {}, renderFallbackValue: '' };
  const table = createTable<Deal>(options);
  // As the framework adapters do: the table's own initial state (column pinning, visibility, …).
  table.setOptions((prev) => ({ ...prev, state: { ...table.initialState } }));
  const render = (def: unknown, ctx: unknown): ComponentChildren => (typeof def === 'function' ? (def as (c: unknown) => ComponentChildren)(ctx) : (def as ComponentChildren));

  // Adjacent parts of one big deal are grouped under a header row.
  const modelRows = table.getRowModel().rows;
  const groupSize = new Map<string, number>();
  for (const r of modelRows) {
    const b = view.bigDeal(r.original);
    if (b) groupSize.set(b, (groupSize.get(b) ?? 0) + 1);
  }
  const body: ComponentChildren[] = [];
  let prevBig = '';
  for (const r of modelRows) {
    const big = view.bigDeal(r.original);
    const grouped = big !== '' && (groupSize.get(big) ?? 0) > 1;
    if (grouped && big !== prevBig) {
      const parts = modelRows.filter((x) => view.bigDeal(x.original) === big);
      const sum = parts.reduce((a, x) => a + view.cost(x.original), 0);
      body.push(
        <tr class="group" key={`g-${big}-${r.id}`}>
          <th scope="rowgroup" colSpan={columns.length}>
            {t('bigDealId')} {big} · {parts.length} {t('partsShown')} · {money(sum)}
          </th>
        </tr>,
      );
    }
    prevBig = big;
    body.push(
      <tr key={r.id} class={grouped ? 'part' : ''} data-row={String(r.original[view.key])}>
        {r.getVisibleCells().map((c) => (
          <td key={c.id} data-col={c.column.id}>
            {render(c.column.columnDef.cell, c.getContext())}
          </td>
        ))}
      </tr>,
    );
  }

  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table class="deals">
        <caption class="sr-only">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id} scope="col">
                  {render(h.column.columnDef.header, h.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{t('noRows')}</td>
            </tr>
          ) : (
            body
          )}
        </tbody>
      </table>
    </div>
  );
}
