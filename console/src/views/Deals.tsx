/** The deal list of either view: filters in the URL, paging with jump-to-page, the drawer, export. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiCallError, call } from '../api';
import { Drawer } from '../components/Drawer';
import { ExportBar } from '../components/Export';
import { DealTable } from '../components/Table';
import { BILLING, PARTNERS, type Deal, type ViewDef } from '../deals';
import { beijing, fromInput, splitList, toInput } from '../format';
import { lang, statusName, STATUSES, t } from '../i18n';
import { navigate, type Route } from '../router';
import type { Session } from '../session';

const PAGE_SIZES = [10, 20, 50, 100, 200];

/** Filters start open on a wide screen and folded on a phone. */
const wide = () => matchMedia('(min-width: 761px)').matches;

/** The API parameters a URL stands for. */
export function apiParams(view: ViewDef, p: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = { Offset: Number(p.get('Offset') ?? 0), Limit: Number(p.get('Limit') ?? 20) };
  const str = (k: string) => {
    const v = p.get(k);
    if (v) out[k] = v;
  };
  const num = (k: string) => {
    const v = p.get(k);
    if (v !== null && v !== '') out[k] = Number(v);
  };
  const list = (k: string) => {
    const v = splitList(p.get(k));
    if (v.length) out[k] = v;
  };
  if (view.name === 'partners') {
    str('CreatTimeRangeStart');
    str('CreatTimeRangeEnd');
    num('Order');
    num('Status');
    list('OwnerUins');
    list('DealNames');
    list('BigDealIds');
    num('PayerMode');
  } else {
    str('StartTime');
    str('EndTime');
    const set = splitList(p.get('StatusSet')).map(Number);
    if (set.length) out.StatusSet = set;
    str('OrderId');
    str('BigDealId');
    str('ResourceId');
  }
  return out;
}

export function billingDefaults(): Record<string, string> {
  const now = Date.now();
  return { StartTime: beijing(now - 90 * 86400_000).slice(0, 10) + ' 00:00:00', EndTime: beijing(now).slice(0, 10) + ' 23:59:59' };
}

interface Props {
  session: Session;
  route: Route;
}

export function DealsView({ session, route }: Props) {
  const view = session.role === 'agent' ? PARTNERS : BILLING;
  const path = route.path;
  const p = route.params;
  const qs = p.toString();
  const [state, setState] = useState<{ loading: boolean; rows: Deal[]; total: number; error?: string; key: string }>({ loading: true, rows: [], total: 0, key: '' });
  const [drawer, setDrawer] = useState<Deal | undefined>();
  const [reload, setReload] = useState(0);

  // Billing needs a window: put the default one in the URL (replacing the entry), so the link is complete.
  useEffect(() => {
    if (view.name === 'billing' && (!p.get('StartTime') || !p.get('EndTime'))) {
      const np = new URLSearchParams(p);
      for (const [k, v] of Object.entries(billingDefaults())) if (!np.get(k)) np.set(k, v);
      navigate(path, np, true);
    }
  }, [qs]);

  const listKey = (() => {
    const np = new URLSearchParams(p);
    np.delete('deal');
    return np.toString();
  })();

  useEffect(() => {
    if (view.name === 'billing' && (!p.get('StartTime') || !p.get('EndTime'))) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    call<Record<string, unknown>>(session, view.action, apiParams(view, p), { lang: lang.get() })
      .then((r) => live && setState({ loading: false, rows: (r[view.listField] as Deal[] | null) ?? [], total: Number(r.TotalCount ?? 0), key: listKey }))
      .catch((err: unknown) => {
        if (!live) return;
        const msg = err instanceof ApiCallError ? `[${err.code}] ${err.message}` : String((err as Error).message);
        setState({ loading: false, rows: [], total: 0, error: msg, key: listKey });
      });
    return () => {
      live = false;
    };
  }, [listKey, reload, session.secretId]);

  // The drawer follows the URL's `deal`.
  const dealName = p.get('deal');
  useEffect(() => {
    if (!dealName) return setDrawer(undefined);
    const here = state.rows.find((d) => String(d[view.key]) === dealName);
    if (here) return setDrawer(here);
    let live = true;
    const q: Record<string, unknown> =
      view.name === 'partners'
        ? { Offset: 0, Limit: 1, DealNames: [dealName] }
        : { Offset: 0, Limit: 1, OrderId: dealName, StartTime: '2000-01-01 00:00:00', EndTime: '2099-12-31 23:59:59', StatusSet: STATUSES };
    call<Record<string, unknown>>(session, view.action, q, { lang: lang.get() })
      .then((r) => {
        const d = ((r[view.listField] as Deal[] | null) ?? [])[0];
        if (live) setDrawer(d);
      })
      .catch(() => live && setDrawer(undefined));
    return () => {
      live = false;
    };
  }, [dealName, state.rows]);

  const setParams = (changes: Record<string, string | number | undefined>, replace = false) => {
    const np = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') np.delete(k);
      else np.set(k, String(v));
    }
    navigate(path, np, replace);
  };

  const onOpen = useCallback((d: Deal) => setParams({ deal: String(d[view.key]) }), [qs]);
  const limit = Number(p.get('Limit') ?? 20);
  const offset = Number(p.get('Offset') ?? 0);
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(state.total / limit));

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const np = new URLSearchParams();
    for (const [k, v] of f.entries()) {
      const s = String(v).trim();
      if (!s || k === 'StatusSet') continue;
      np.set(k, k.endsWith('Time') || k.startsWith('CreatTime') ? fromInput(s) : s);
    }
    const set = f.getAll('StatusSet').map(String);
    if (set.length) np.set('StatusSet', set.join(','));
    np.set('Offset', '0');
    navigate(path, np);
  };

  const filtersForExport = (() => {
    const a = apiParams(view, p);
    delete a.Offset;
    delete a.Limit;
    return a;
  })();

  return (
    <section aria-labelledby="deals-title">
      <h1 id="deals-title">{view.name === 'partners' ? t('agentDeals') : t('billingDeals')}</h1>
      <details class="filters-box" open={wide()}>
        <summary>{t('filters')}</summary>
      <form class="filters" key={qs} onSubmit={onSubmit} aria-label={t('filters')}>
        {view.name === 'partners' ? (
          <>
            <label>
              {t('from')}
              <input type="datetime-local" step="1" name="CreatTimeRangeStart" defaultValue={toInput(p.get('CreatTimeRangeStart'))} />
            </label>
            <label>
              {t('to')}
              <input type="datetime-local" step="1" name="CreatTimeRangeEnd" defaultValue={toInput(p.get('CreatTimeRangeEnd'))} />
            </label>
            <label>
              {t('order')}
              <select name="Order" aria-label={t('order')}>
                <option value="0" selected={(p.get('Order') ?? '0') === "0"}>{t('newestFirst')}</option>
                <option value="1" selected={(p.get('Order') ?? '0') === "1"}>{t('oldestFirst')}</option>
              </select>
            </label>
            <label>
              {t('status')}
              <select name="Status" aria-label={t('status')}>
                <option value="" selected={(p.get('Status') ?? '') === ""}>{t('any')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s} selected={(p.get('Status') ?? '') === String(s)}>
                    {s} {statusName(s)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('payerMode')}
              <select name="PayerMode" aria-label={t('payerMode')}>
                <option value="" selected={(p.get('PayerMode') ?? '') === ""}>{t('any')}</option>
                <option value="1" selected={(p.get('PayerMode') ?? '') === "1"}>{t('agentPaid')}</option>
                <option value="0" selected={(p.get('PayerMode') ?? '') === "0"}>{t('selfPaid')}</option>
              </select>
            </label>
            <label>
              {t('ownerUins')}
              <input name="OwnerUins" defaultValue={p.get('OwnerUins') ?? ''} placeholder={t('listHelp')} />
            </label>
            <label>
              {t('dealNames')}
              <input name="DealNames" defaultValue={p.get('DealNames') ?? ''} placeholder={t('listHelp')} />
            </label>
            <label>
              {t('bigDealIds')}
              <input name="BigDealIds" defaultValue={p.get('BigDealIds') ?? ''} placeholder={t('listHelp')} />
            </label>
          </>
        ) : (
          <>
            <label>
              {t('from')}
              <input type="datetime-local" step="1" name="StartTime" required defaultValue={toInput(p.get('StartTime'))} />
            </label>
            <label>
              {t('to')}
              <input type="datetime-local" step="1" name="EndTime" required defaultValue={toInput(p.get('EndTime'))} />
            </label>
            <label>
              {t('orderId')}
              <input name="OrderId" defaultValue={p.get('OrderId') ?? ''} />
            </label>
            <label>
              {t('bigDealId')}
              <input name="BigDealId" defaultValue={p.get('BigDealId') ?? ''} />
            </label>
            <label>
              {t('resourceId')}
              <input name="ResourceId" defaultValue={p.get('ResourceId') ?? ''} />
            </label>
            <fieldset class="statusset">
              <legend>{t('statusSet')}</legend>
              {STATUSES.map((s) => (
                <label key={s} class="check">
                  <input type="checkbox" name="StatusSet" value={s} defaultChecked={splitList(p.get('StatusSet')).includes(String(s))} />
                  {statusName(s)}
                </label>
              ))}
            </fieldset>
          </>
        )}
        <label>
          {t('pageSize')}
          <select name="Limit" aria-label={t('pageSize')}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n} selected={n === limit}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('apply')}
          </button>
          <button type="button" onClick={() => navigate(path, {})}>
            {t('clear')}
          </button>
        </div>
      </form>
      </details>

      <div class="toolbar">
        <p class="total" data-total={state.loading ? '' : String(state.total)} data-for={state.loading ? '' : state.key} aria-live="polite">
          {state.loading ? t('loading') : `${t('total')}: ${state.total.toLocaleString()}`}
        </p>
        <ExportBar view={view} session={session} params={filtersForExport} />
      </div>

      {state.error ? (
        <p class="error" role="alert" data-testid="api-error">
          {state.error}
        </p>
      ) : null}

      <DealTable view={view} rows={state.rows} onOpen={onOpen} caption={view.name === 'partners' ? t('agentDeals') : t('billingDeals')} />

      <nav class="pager" aria-label={t('page')}>
        <button type="button" disabled={page <= 1} onClick={() => setParams({ Offset: 0 })}>
          {t('first')}
        </button>
        <button type="button" disabled={page <= 1} onClick={() => setParams({ Offset: Math.max(0, offset - limit) })}>
          {t('prev')}
        </button>
        <span data-page={page}>
          {lang.get() === 'zh-CN' ? `${t('page')} ${page} ${t('of')} ${pages} 页` : `${t('page')} ${page} ${t('of')} ${pages.toLocaleString()}`}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setParams({ Offset: offset + limit })}>
          {t('next')}
        </button>
        <button type="button" disabled={page >= pages} onClick={() => setParams({ Offset: (pages - 1) * limit })}>
          {t('last')}
        </button>
        <form
          class="jump"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(new FormData(e.currentTarget as HTMLFormElement).get('page'));
            if (Number.isInteger(n) && n >= 1) setParams({ Offset: (Math.min(n, pages) - 1) * limit });
          }}
        >
          <label>
            {t('goToPage')} <input name="page" type="number" min={1} max={pages} inputMode="numeric" />
          </label>
          <button type="submit">{t('go')}</button>
        </form>
      </nav>

      {drawer ? (
        <Drawer
          view={view}
          deal={drawer}
          session={session}
          onClose={() => setParams({ deal: undefined })}
          onOpenDeal={(name) => setParams({ deal: name })}
          onShowBigDeal={(id) =>
            navigate(path, view.name === 'partners' ? { BigDealIds: id, Offset: 0, Limit: limit } : { ...billingDefaults(), StartTime: '2000-01-01 00:00:00', BigDealId: id, StatusSet: STATUSES.join(','), Offset: 0, Limit: limit })
          }
          onChanged={() => setReload((n) => n + 1)}
        />
      ) : null}
    </section>
  );
}
