/** Charts over a window, from the server's aggregate (DescribeDealAggregates); each with its numbers as a table. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiCallError, call } from '../api';
import { beijing, money } from '../format';
import { lang, statusName, t } from '../i18n';
import { navigate, type Route } from '../router';
import type { Session } from '../session';

export interface Aggregates {
  TotalCount: number;
  RealTotalCost: number;
  SpendByMonth: Array<{ Month: string; Product: string; RealTotalCost: number; Count: number }>;
  TopClients: Array<{ OwnerUin: string; RealTotalCost: number; Count: number }>;
  StatusMix: Array<{ Status: number; Count: number; RealTotalCost: number }>;
  PurchasesRefunds: Array<{ Month: string; Purchases: number; Refunds: number; PurchaseCount: number; RefundCount: number }>;
  PayerModes: Array<{ PayerMode: number; Count: number; RealTotalCost: number }>;
}

type EChartsModule = typeof import('../echarts');

function Chart({ option, label, theme }: { option: Record<string, unknown>; label: string; theme: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { dispose(): void; resize(): void } | undefined;
    let gone = false;
    const onResize = () => chart?.resize();
    void import('../echarts').then((m: EChartsModule) => {
      if (gone || !ref.current) return;
      chart = m.render(ref.current, option, theme === 'dark');
      addEventListener('resize', onResize);
    });
    return () => {
      gone = true;
      removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [JSON.stringify(option), theme]);
  return <div class="chart" ref={ref} role="img" aria-label={label} />;
}

const yuan = (fen: number) => Math.round(fen) / 100;

export function ChartsView({ session, route, theme }: { session: Session; route: Route; theme: string }) {
  const p = route.params;
  const now = Date.now();
  const start = p.get('StartTime') ?? `${beijing(now - 365 * 86400_000).slice(0, 7)}-01 00:00:00`;
  const end = p.get('EndTime') ?? `${beijing(now).slice(0, 10)} 23:59:59`;
  const view = session.role === 'agent' ? 'partners' : 'billing';
  const [data, setData] = useState<Aggregates | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    setData(undefined);
    setError('');
    call<Aggregates>(session, 'DescribeDealAggregates', { View: view, StartTime: start, EndTime: end }, { lang: lang.get() })
      .then(setData)
      .catch((err: unknown) => setError(err instanceof ApiCallError ? `[${err.code}] ${err.message}` : String(err)));
  }, [start, end, session.secretId]);

  const months = data ? [...new Set(data.SpendByMonth.map((r) => r.Month))].sort() : [];
  const products = data ? [...new Set(data.SpendByMonth.map((r) => r.Product))].sort() : [];
  const axisColor = theme === 'dark' ? '#ccc' : '#333';

  return (
    <section aria-labelledby="charts-title">
      <h1 id="charts-title">{t('chartsTitle')}</h1>
      <form
        class="filters"
        key={`${start}|${end}`}
        aria-label={t('window')}
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          // Whole days: what the server's day rollup answers at once.
          navigate(route.path, { StartTime: `${String(f.get('StartTime'))} 00:00:00`, EndTime: `${String(f.get('EndTime'))} 23:59:59` });
        }}
      >
        <label>
          {t('from')}
          <input type="date" name="StartTime" required defaultValue={start.slice(0, 10)} />
        </label>
        <label>
          {t('to')}
          <input type="date" name="EndTime" required defaultValue={end.slice(0, 10)} />
        </label>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('apply')}
          </button>
        </div>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {!data ? (
        <p aria-live="polite">{!error ? t('loading') : ''}</p>
      ) : (
        <>
          <p class="total" data-total={data.TotalCount} data-cost={data.RealTotalCost} data-start={start} data-end={end}>
            {t('total')}: {data.TotalCount.toLocaleString()} · {money(data.RealTotalCost)}
          </p>
          <div class="charts">
            <figure class="card wide" data-chart="spend">
              <figcaption>{t('spendByMonth')}</figcaption>
              <Chart
                theme={theme}
                label={t('spendByMonth')}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { type: 'scroll', textStyle: { color: axisColor } },
                  grid: { left: 60, right: 20, top: 40, bottom: 30 },
                  xAxis: { type: 'category', data: months, axisLabel: { color: axisColor } },
                  yAxis: { type: 'value', axisLabel: { color: axisColor } },
                  series: products.map((prod) => ({
                    name: prod,
                    type: 'bar',
                    stack: 'spend',
                    data: months.map((m) => yuan(data.SpendByMonth.filter((r) => r.Month === m && r.Product === prod).reduce((a, r) => a + r.RealTotalCost, 0))),
                  })),
                }}
              />
              <DataTable
                head={[t('month'), t('product'), t('amount'), t('count')]}
                rows={data.SpendByMonth.map((r) => [r.Month, r.Product, { fen: r.RealTotalCost }, r.Count])}
              />
            </figure>
            {view === 'partners' ? (
              <figure class="card" data-chart="top-clients">
                <figcaption>{t('topClients')}</figcaption>
                <Chart
                  theme={theme}
                  label={t('topClients')}
                  option={{
                    tooltip: {},
                    grid: { left: 110, right: 20, top: 10, bottom: 30 },
                    yAxis: { type: 'category', inverse: true, data: data.TopClients.map((c) => c.OwnerUin), axisLabel: { color: axisColor } },
                    xAxis: { type: 'value', axisLabel: { color: axisColor } },
                    series: [{ type: 'bar', data: data.TopClients.map((c) => yuan(c.RealTotalCost)) }],
                  }}
                />
                <DataTable head={[t('client'), t('amount'), t('count')]} rows={data.TopClients.map((c) => [c.OwnerUin, { fen: c.RealTotalCost }, c.Count])} />
              </figure>
            ) : null}
            <figure class="card" data-chart="status">
              <figcaption>{t('statusMix')}</figcaption>
              <Chart
                theme={theme}
                label={t('statusMix')}
                option={{
                  tooltip: { trigger: 'item' },
                  legend: { type: 'scroll', bottom: 0, textStyle: { color: axisColor } },
                  series: [{ type: 'pie', radius: ['35%', '65%'], data: data.StatusMix.map((s) => ({ name: statusName(s.Status), value: s.Count })), label: { show: false } }],
                }}
              />
              <DataTable head={[t('status'), t('count'), t('amount')]} rows={data.StatusMix.map((s) => [`${s.Status} ${statusName(s.Status)}`, s.Count, { fen: s.RealTotalCost }])} />
            </figure>
            <figure class="card" data-chart="refunds">
              <figcaption>{t('purchasesRefunds')}</figcaption>
              <Chart
                theme={theme}
                label={t('purchasesRefunds')}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: { textStyle: { color: axisColor } },
                  grid: { left: 60, right: 20, top: 40, bottom: 30 },
                  xAxis: { type: 'category', data: data.PurchasesRefunds.map((r) => r.Month), axisLabel: { color: axisColor } },
                  yAxis: { type: 'value', axisLabel: { color: axisColor } },
                  series: [
                    { name: t('purchases'), type: 'bar', data: data.PurchasesRefunds.map((r) => yuan(r.Purchases)) },
                    { name: t('refunds'), type: 'bar', data: data.PurchasesRefunds.map((r) => yuan(r.Refunds)) },
                  ],
                }}
              />
              <DataTable
                head={[t('month'), t('purchases'), t('refunds')]}
                rows={data.PurchasesRefunds.map((r) => [r.Month, { fen: r.Purchases }, { fen: r.Refunds }])}
              />
            </figure>
            {view === 'partners' ? (
              <figure class="card" data-chart="payer">
                <figcaption>{t('payerModes')}</figcaption>
                <Chart
                  theme={theme}
                  label={t('payerModes')}
                  option={{
                    tooltip: { trigger: 'item' },
                    legend: { bottom: 0, textStyle: { color: axisColor } },
                    series: [{ type: 'pie', radius: '60%', data: data.PayerModes.map((s) => ({ name: s.PayerMode === 1 ? t('agentPaid') : t('selfPaid'), value: yuan(s.RealTotalCost) })), label: { color: axisColor } }],
                  }}
                />
                <DataTable
                  head={[t('payerMode'), t('amount'), t('count')]}
                  rows={data.PayerModes.map((s) => [s.PayerMode === 1 ? t('agentPaid') : t('selfPaid'), { fen: s.RealTotalCost }, s.Count])}
                />
              </figure>
            ) : null}
          </div>
        </>
      )}
    </section>
  );
}

type Cell = string | number | { fen: number };

function DataTable({ head, rows }: { head: string[]; rows: Cell[][] }) {
  return (
    <details>
      <summary>{t('showData')}</summary>
      <table class="data">
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (typeof c === 'object' ? <td key={j} class="num" data-fen={c.fen}>{money(c.fen)}</td> : <td key={j}>{c}</td>))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
