/** The sandbox panel: the admin token, then the live journal, fault rules, reset, clock, cache lag, signature mode. */
import { useEffect, useState } from 'preact/hooks';
import { beijing } from '../format';
import { t } from '../i18n';
import { admin, adminToken, setAdminToken } from '../session';
import { useSignal } from '../signals';

interface JournalEntry {
  seq: number;
  time: string;
  action?: string;
  uin?: string;
  code: string;
  latencyMs: number;
  via?: string;
  fault?: string;
}
interface Rule {
  id: string;
  kind: string;
  action?: string;
  uin?: string;
  code?: string;
  message?: string;
  fired: number;
  remaining?: number | null;
}

export function SandboxView() {
  const token = useSignal(adminToken);
  if (!token) {
    return (
      <section aria-labelledby="sb-title">
        <h1 id="sb-title">{t('sandboxTitle')}</h1>
        <form
          class="card signin"
          onSubmit={(e) => {
            e.preventDefault();
            const v = String(new FormData(e.currentTarget as HTMLFormElement).get('token') ?? '').trim();
            if (v) setAdminToken(v);
          }}
        >
          <label>
            {t('adminToken')}
            <input name="token" type="password" autoComplete="off" required />
          </label>
          <p class="muted">{t('adminHelp')}</p>
          <button type="submit" class="primary">
            {t('connect')}
          </button>
        </form>
      </section>
    );
  }
  return <Panel />;
}

function Panel() {
  const [error, setError] = useState('');
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [rules, setRules] = useState<Rule[]>([]);
  const [clock, setClock] = useState<{ beijingTime: string; frozen: boolean } | undefined>();
  const [lag, setLag] = useState<number>(0);
  const [mode, setMode] = useState('strict');
  const [msg, setMsg] = useState('');

  const guard = async (fn: () => Promise<unknown>) => {
    try {
      setError('');
      await fn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const loadRules = () => guard(async () => setRules((await admin<{ rules: Rule[] }>('GET', '/faults')).rules));
  const loadSettings = () =>
    guard(async () => {
      setClock(await admin('GET', '/clock'));
      setLag((await admin<{ seconds: number }>('GET', '/cache-lag')).seconds);
      setMode((await admin<{ mode: string }>('GET', '/signature-mode')).mode);
    });

  // The live journal: new calls appear without reloading (polling `after` the last seq); rules' counts too.
  useEffect(() => {
    let after = 0;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const r = await admin<{ entries: JournalEntry[] }>('GET', `/journal?after=${after}&limit=200`);
        if (r.entries.length) {
          after = r.entries[r.entries.length - 1]!.seq;
          setEntries((old) => [...r.entries.reverse(), ...old].slice(0, 200));
        }
        setRules((await admin<{ rules: Rule[] }>('GET', '/faults')).rules);
      } catch (err) {
        setError((err as Error).message);
      }
      if (!stop) timer = setTimeout(() => void tick(), 1000);
    };
    void tick();
    void loadSettings();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);

  return (
    <section aria-labelledby="sb-title" class="sandbox">
      <h1 id="sb-title">{t('sandboxTitle')}</h1>
      <p>
        <button type="button" onClick={() => setAdminToken(undefined)}>
          {t('disconnect')}
        </button>
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p role="status">{msg}</p>
      <div class="sandbox-grid">
        <div class="card">
          <h2>{t('faults')}</h2>
          <form
            class="inline"
            aria-label={t('faults')}
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget as HTMLFormElement);
              const body: Record<string, unknown> = { kind: f.get('kind') };
              for (const k of ['action', 'uin', 'code', 'message']) {
                const v = String(f.get(k) ?? '').trim();
                if (v) body[k] = v;
              }
              const times = String(f.get('times') ?? '').trim();
              if (times) body.times = Number(times);
              const latency = String(f.get('latencyMs') ?? '').trim();
              if (latency) body.latencyMs = Number(latency);
              void guard(async () => {
                await admin('POST', '/faults', body);
                await loadRules();
              });
            }}
          >
            <label>
              {t('kind')}
              <select name="kind" aria-label={t('kind')}>
                <option value="error">error</option>
                <option value="latency">latency</option>
                <option value="drop">drop</option>
              </select>
            </label>
            <label>
              Action
              <select name="action" aria-label="Action">
                <option value="">{t('any')}</option>
                <option value="DescribeAgentDealsByCache">DescribeAgentDealsByCache</option>
                <option value="DescribeDealsByCond">DescribeDealsByCond</option>
              </select>
            </label>
            <label>
              {t('code')}
              <input name="code" defaultValue="FailedOperation" />
            </label>
            <label>
              {t('message')}
              <input name="message" />
            </label>
            <label>
              {t('times')}
              <input name="times" type="number" min={1} />
            </label>
            <label>
              latencyMs
              <input name="latencyMs" type="number" min={0} />
            </label>
            <button type="submit" class="primary">
              {t('add')}
            </button>
          </form>
          <div class="table-wrap">
            <table class="rules">
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">Action</th>
                  <th scope="col">{t('code')}</th>
                  <th scope="col">{t('fired')}</th>
                  <th scope="col">{t('remaining')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('remove')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.id} data-rule={r.id}>
                    <td class="mono" title={r.id}>
                      {r.id.slice(0, 8)}
                    </td>
                    <td>{r.kind}</td>
                    <td>{r.action ?? '*'}</td>
                    <td>{r.code ?? ''}</td>
                    <td data-fired={r.fired}>{r.fired}</td>
                    <td>{r.remaining ?? '∞'}</td>
                    <td>
                      <button type="button" aria-label={`${t('remove')} ${r.id}`} onClick={() => void guard(async () => (await admin('DELETE', `/faults/${encodeURIComponent(r.id)}`), await loadRules()))}>
                        {t('remove')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>

        <div class="card">
          <h2>{t('reset')}</h2>
          <p class="buttons">
            <button
              type="button"
              data-reset="demo"
              onClick={() =>
                confirm(t('confirmReset')) &&
                void guard(async () => {
                  await admin('POST', '/reset', { to: 'demo' });
                  setMsg(t('resetDemo'));
                  setEntries([]);
                  await loadRules();
                  await loadSettings();
                })
              }
            >
              {t('resetDemo')}
            </button>
            <button
              type="button"
              data-reset="empty"
              class="danger"
              onClick={() =>
                confirm(t('confirmReset')) &&
                void guard(async () => {
                  await admin('POST', '/reset', { to: 'empty' });
                  setMsg(t('resetEmpty'));
                  setEntries([]);
                  await loadRules();
                })
              }
            >
              {t('resetEmpty')}
            </button>
          </p>
          <h2>{t('clock')}</h2>
          <p data-clock>
            {clock?.beijingTime} {clock?.frozen ? `(${t('frozen')})` : ''}
          </p>
          <form
            class="inline"
            aria-label={t('clock')}
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget as HTMLFormElement);
              const now = String(f.get('now') ?? '').replace('T', ' ');
              void guard(async () => setClock(await admin('PUT', '/clock', { now: now.length === 16 ? `${now}:00` : now, frozen: f.get('frozen') === 'on' })));
            }}
          >
            <label>
              {t('clock')}
              <input name="now" type="datetime-local" step="1" required />
            </label>
            <label class="check">
              <input name="frozen" type="checkbox" /> {t('frozen')}
            </label>
            <button type="submit">{t('set')}</button>
            <button type="button" onClick={() => void guard(async () => setClock(await admin('PUT', '/clock', { advanceMs: 86_400_000 })))}>
              {t('advanceDay')}
            </button>
            <button type="button" onClick={() => void guard(async () => setClock(await admin('PUT', '/clock', { reset: true })))}>
              {t('resetClock')}
            </button>
          </form>
          <h2>{t('cacheLag')}</h2>
          <form
            class="inline"
            aria-label={t('cacheLag')}
            onSubmit={(e) => {
              e.preventDefault();
              const s = Number(new FormData(e.currentTarget as HTMLFormElement).get('seconds'));
              void guard(async () => (setLag((await admin<{ seconds: number }>('PUT', '/cache-lag', { seconds: s })).seconds), setMsg(t('saved'))));
            }}
          >
            <label>
              {t('cacheLag')}
              <input name="seconds" type="number" min={0} step="any" key={lag} defaultValue={String(lag)} />
            </label>
            <button type="submit">{t('save')}</button>
          </form>
          <h2>{t('signatureMode')}</h2>
          <label>
            {t('signatureMode')}
            <select aria-label={t('signatureMode')} value={mode} onChange={(e) => void guard(async () => (setMode((await admin<{ mode: string }>('PUT', '/signature-mode', { mode: (e.currentTarget as HTMLSelectElement).value })).mode), setMsg(t('saved'))))}>
              <option value="strict">strict</option>
              <option value="soft">soft</option>
              <option value="off">off</option>
            </select>
          </label>
        </div>
      </div>

      <div class="card">
        <h2>{t('journal')}</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('journal')}>
          <table class="journal" aria-live="off">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('time')}</th>
                <th scope="col">Action</th>
                <th scope="col">UIN</th>
                <th scope="col">{t('code')}</th>
                <th scope="col">{t('latency')}</th>
                <th scope="col">via</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td class="mono">{beijing(Date.parse(e.time))}</td>
                  <td>{e.action ?? ''}</td>
                  <td class="mono">{e.uin ?? ''}</td>
                  <td class={e.code === 'OK' ? '' : 'neg'}>
                    {e.code}
                    {e.fault ? ` (${e.fault})` : ''}
                  </td>
                  <td class="num">{e.latencyMs}</td>
                  <td>{e.via ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
