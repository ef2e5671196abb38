/** Export the whole filtered set through the API, at its pace: CSV (sync's columns) or NDJSON (sync's lines). */
import { useRef, useState } from 'preact/hooks';
import { call } from '../api';
import { csvHeader, csvLine, type Deal, type ViewDef } from '../deals';
import { lang, t } from '../i18n';
import type { Session } from '../session';

interface Props {
  view: ViewDef;
  session: Session;
  /** The filters without Offset/Limit. */
  params: Record<string, unknown>;
}

export function ExportBar({ view, session, params }: Props) {
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [msg, setMsg] = useState('');
  const abort = useRef<AbortController>();

  const run = async (format: 'csv' | 'ndjson') => {
    const ac = new AbortController();
    abort.current = ac;
    setMsg('');
    const lines: string[] = format === 'csv' ? [csvHeader(view.name)] : [];
    let offset = 0;
    let total = 0;
    setProgress({ done: 0, total: 0 });
    try {
      for (;;) {
        const r = await call<Record<string, unknown>>(session, view.action, { ...params, Offset: offset, Limit: view.exportPage }, { signal: ac.signal, lang: lang.get() });
        const deals = (r[view.listField] as Deal[] | null) ?? [];
        total = Number(r.TotalCount ?? 0);
        for (const d of deals) lines.push(format === 'csv' ? csvLine(view.name, d) : JSON.stringify(d));
        offset += deals.length;
        setProgress({ done: offset, total });
        if (deals.length < view.exportPage || offset >= total) break;
      }
      const blob = new Blob([lines.map((l) => `${l}\n`).join('')], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${view.name}-deals.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMsg(`${t('exported')}: ${offset}`);
    } catch (err) {
      setMsg(ac.signal.aborted ? t('cancelled') : `${t('error')}: ${(err as Error).message}`);
    } finally {
      setProgress(undefined);
      abort.current = undefined;
    }
  };

  return (
    <div class="export">
      <button type="button" onClick={() => void run('csv')} disabled={!!progress}>
        {t('exportCsv')}
      </button>
      <button type="button" onClick={() => void run('ndjson')} disabled={!!progress}>
        {t('exportNdjson')}
      </button>
      {progress ? (
        <>
          <label>
            {t('exporting')}{' '}
            <progress max={progress.total || 1} value={progress.done} aria-valuetext={`${progress.done} / ${progress.total}`} />
          </label>
          <span aria-live="polite">
            {progress.done} / {progress.total}
          </span>
          <button type="button" onClick={() => abort.current?.abort()}>
            {t('cancel')}
          </button>
        </>
      ) : null}
      <span role="status" class="export-msg">
        {msg}
      </span>
    </div>
  );
}
