/** A deal's every field, its refund links both ways, its big deal's parts, and (sandbox) lifecycle verbs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api';
import type { Deal, ViewDef } from '../deals';
import { money } from '../format';
import { lang, statusName, t } from '../i18n';
import { admin, adminToken, type Session } from '../session';
import { useSignal } from '../signals';

interface Props {
  view: ViewDef;
  deal: Deal;
  session: Session;
  onClose: () => void;
  onOpenDeal: (name: string) => void;
  onShowBigDeal: (id: string) => void;
  onChanged: () => void;
}

const VERBS = ['paying', 'pay', 'delivering', 'deliver', 'fail', 'cancel', 'expire', 'refund'];

export function Drawer({ view, deal, session, onClose, onOpenDeal, onShowBigDeal, onChanged }: Props) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const token = useSignal(adminToken);
  const name = String(deal[view.key]);
  const [links, setLinks] = useState<{ refunds: string[]; originals: string[] }>({ refunds: [], originals: view.refundOf(deal) });
  const [verbMsg, setVerbMsg] = useState<string>('');
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, []);
  useEffect(() => {
    let live = true;
    setVerbMsg('');
    call<{ RefundSet: Array<{ DealName: string; RefundOf: string }> }>(session, 'DescribeDealRefunds', { View: view.name, DealNames: [name] }, { lang: lang.get() })
      .then((r) => {
        if (!live) return;
        const refunds = r.RefundSet.filter((x) => x.RefundOf === name).map((x) => x.DealName);
        const originals = [...new Set([...view.refundOf(deal), ...r.RefundSet.filter((x) => x.DealName === name).map((x) => x.RefundOf)])];
        setLinks({ refunds, originals });
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [name]);

  const runVerb = async (verb: string) => {
    try {
      const r = await admin<{ message: string }>('POST', `/deals/${encodeURIComponent(name)}/${verb}`, {});
      setVerbMsg(r.message);
      onChanged();
    } catch (err) {
      setVerbMsg(String((err as Error).message));
    }
  };

  const big = view.bigDeal(deal);
  return (
    <div class="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <aside class="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title">
        <header>
          <h2 id="drawer-title">
            {t('details')}: <span class="mono">{name}</span>
          </h2>
          <button type="button" ref={closeRef} onClick={onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        <p class="summary">
          <span class={`status s${view.status(deal)}`}>{statusName(view.status(deal))}</span> · {view.product(deal)} · <strong>{money(view.cost(deal))}</strong>
          {view.payer(deal) !== undefined ? <span class={`badge ${view.payer(deal) === 1 ? 'agent' : 'self'}`}>{view.payer(deal) === 1 ? t('agentPaid') : t('selfPaid')}</span> : null}
        </p>
        {links.originals.length > 0 ? (
          <p class="links" data-testid="refund-of">
            {t('refundOf')}:{' '}
            {links.originals.map((o) => (
              <button type="button" class="link mono" key={o} data-link={o} onClick={() => onOpenDeal(o)}>
                {o}
              </button>
            ))}
          </p>
        ) : null}
        {links.refunds.length > 0 ? (
          <p class="links" data-testid="refunded-by">
            {t('refundedBy')}:{' '}
            {links.refunds.map((o) => (
              <button type="button" class="link mono" key={o} data-link={o} onClick={() => onOpenDeal(o)}>
                {o}
              </button>
            ))}
          </p>
        ) : null}
        {big ? (
          <p class="links">
            {t('bigDealParts')} <span class="mono">{big}</span>:{' '}
            <button type="button" class="link" onClick={() => onShowBigDeal(big)}>
              {t('showParts')}
            </button>
          </p>
        ) : null}
        <h3>{t('fields')}</h3>
        <dl class="fields">
          {Object.entries(deal).map(([k, v]) => (
            <div key={k} class="field">
              <dt>{k}</dt>
              <dd class="mono" data-field={k}>
                {v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v)}
              </dd>
            </div>
          ))}
        </dl>
        <h3>{t('lifecycle')}</h3>
        {token ? (
          <div class="verbs">
            {VERBS.map((v) => (
              <button type="button" key={v} data-verb={v} onClick={() => void runVerb(v)}>
                {v}
              </button>
            ))}
            <p role="status" class="verb-msg">
              {verbMsg}
            </p>
          </div>
        ) : (
          <p class="muted">{t('lifecycleHelp')}</p>
        )}
      </aside>
    </div>
  );
}
