/** Sign-in with a SecretId/SecretKey (or the demo keys of a sandbox): the role is what the API answers. */
import { useEffect, useState } from 'preact/hooks';
import { ApiCallError, call, type Credentials } from '../api';
import { lang, t } from '../i18n';
import { navigate } from '../router';
import { signInAs, type Role } from '../session';

interface Info {
  demo: boolean;
  agent?: { SecretId: string; SecretKey: string };
  client?: { SecretId: string; SecretKey: string };
}

/** An agent can call DescribeAgentDealsByCache; anyone else gets UnauthorizedOperation there and is a billing client. */
export async function roleOf(creds: Credentials): Promise<Role> {
  try {
    await call(creds, 'DescribeAgentDealsByCache', { Offset: 0, Limit: 1 }, { lang: lang.get(), retries: 2 });
    return 'agent';
  } catch (err) {
    if (err instanceof ApiCallError && err.code === 'UnauthorizedOperation') return 'client';
    throw err;
  }
}

export function SignIn() {
  const [info, setInfo] = useState<Info | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    fetch('/_tcdeals/console/info', { credentials: 'omit' })
      .then((r) => r.json() as Promise<Info>)
      .then(setInfo)
      .catch(() => setInfo({ demo: false }));
  }, []);

  const go = async (creds: Credentials, remember: boolean) => {
    setBusy(true);
    setError('');
    try {
      const role = await roleOf(creds);
      signInAs({ ...creds, role }, remember);
      navigate('/deals', role === 'agent' ? { Offset: 0, Limit: 20 } : {});
    } catch (err) {
      setError(err instanceof ApiCallError ? `[${err.code}] ${err.message}` : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="signin-title" class="signin-page">
      <h1 id="signin-title">{t('signIn')}</h1>
      <form
        class="card signin"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          void go({ secretId: String(f.get('secretId') ?? '').trim(), secretKey: String(f.get('secretKey') ?? '').trim() }, f.get('remember') === 'on');
        }}
      >
        <label>
          {t('secretId')}
          <input name="secretId" required autoComplete="off" spellcheck={false} />
        </label>
        <label>
          {t('secretKey')}
          <input name="secretKey" type="password" required autoComplete="off" />
        </label>
        <label class="check">
          <input name="remember" type="checkbox" /> {t('remember')}
        </label>
        <p class="muted">{t('signInHelp')}</p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
        {error ? (
          <p class="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        ) : null}
      </form>
      {info?.demo ? (
        <div class="card demo">
          <p>{t('demoHelp')}</p>
          <p class="buttons">
            {info.agent ? (
              <button type="button" class="primary" disabled={busy} onClick={() => void go({ secretId: info.agent!.SecretId, secretKey: info.agent!.SecretKey }, false)}>
                {t('demoAgent')}
              </button>
            ) : null}
            {info.client ? (
              <button type="button" disabled={busy} onClick={() => void go({ secretId: info.client!.SecretId, secretKey: info.client!.SecretKey }, false)}>
                {t('demoClient')}
              </button>
            ) : null}
          </p>
        </div>
      ) : null}
    </section>
  );
}
