/** An agent's clients with this and last month's spend, from the deals it sees (aggregate endpoint). */
import { useEffect, useState } from 'preact/hooks';
import { ApiCallError, call } from '../api';
import { money, monthBounds } from '../format';
import { lang, t } from '../i18n';
import { href } from '../router';
import type { Session } from '../session';

interface ClientMonth {
  OwnerUin: string;
  Month: string;
  Count: number;
  RealTotalCost: number;
}

export function ClientsView({ session }: { session: Session }) {
  const [rows, setRows] = useState<Array<{ uin: string; thisMonth: number; lastMonth: number; count: number }> | undefined>();
  const [error, setError] = useState('');
  const b = monthBounds();
  useEffect(() => {
    call<{ ClientMonths: ClientMonth[] }>(session, 'DescribeDealAggregates', { View: 'partners', StartTime: b.start, EndTime: b.end }, { lang: lang.get() })
      .then((r) => {
        const by = new Map<string, { uin: string; thisMonth: number; lastMonth: number; count: number }>();
        for (const c of r.ClientMonths) {
          const e = by.get(c.OwnerUin) ?? { uin: c.OwnerUin, thisMonth: 0, lastMonth: 0, count: 0 };
          if (c.Month === b.thisMonth) e.thisMonth += c.RealTotalCost;
          if (c.Month === b.lastMonth) e.lastMonth += c.RealTotalCost;
          e.count += c.Count;
          by.set(c.OwnerUin, e);
        }
        setRows([...by.values()].sort((x, y) => y.thisMonth + y.lastMonth - (x.thisMonth + x.lastMonth)));
      })
      .catch((err: unknown) => setError(err instanceof ApiCallError ? `[${err.code}] ${err.message}` : String(err)));
  }, [session.secretId]);
  return (
    <section aria-labelledby="clients-title">
      <h1 id="clients-title">{t('clientsTitle')}</h1>
      <p class="muted">
        {t('clientsHelp')} ({b.lastMonth} – {b.thisMonth})
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {!rows ? (
        <p aria-live="polite">{t('loading')}</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('clientsTitle')}>
          <table class="clients">
            <thead>
              <tr>
                <th scope="col">{t('client')}</th>
                <th scope="col" class="num">
                  {t('thisMonth')} ({b.thisMonth})
                </th>
                <th scope="col" class="num">
                  {t('lastMonth')} ({b.lastMonth})
                </th>
                <th scope="col" class="num">
                  {t('dealCount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.uin} data-client={r.uin}>
                  <th scope="row">
                    <a href={href('/deals', { OwnerUins: r.uin, Offset: 0, Limit: 20 })}>{r.uin}</a>
                  </th>
                  <td class="num">{money(r.thisMonth)}</td>
                  <td class="num">{money(r.lastMonth)}</td>
                  <td class="num">{r.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
