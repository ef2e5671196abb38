import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { lang, setLang, t, type Lang } from './i18n';
import { href, navigate, route } from './router';
import { session, signOut } from './session';
import { useSignal } from './signals';
import { ChartsView } from './views/Charts';
import { ClientsView } from './views/Clients';
import { DealsView } from './views/Deals';
import { SandboxView } from './views/Sandbox';
import { SignIn } from './views/SignIn';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('tcdeals.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function App() {
  const r = useSignal(route);
  const s = useSignal(session);
  const l = useSignal(lang);
  const [theme, setTheme] = useState<Theme>(initialTheme());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('tcdeals.theme', theme);
  }, [theme]);
  useEffect(() => {
    document.documentElement.lang = l;
    document.title = t('title');
  }, [l]);

  const signedIn = !!s;
  const path = r.path;
  useEffect(() => {
    if (!signedIn && path !== '/signin' && path !== '/sandbox') navigate('/signin', {}, true);
    if (signedIn && (path === '/' || path === '/signin')) navigate('/deals', s!.role === 'agent' ? { Offset: 0, Limit: 20 } : {}, true);
  }, [signedIn, path]);

  let main;
  if (path === '/sandbox') main = <SandboxView />;
  else if (!s) main = <SignIn />;
  else if (path === '/clients' && s.role === 'agent') main = <ClientsView session={s} />;
  else if (path === '/charts') main = <ChartsView session={s} route={r} theme={theme} />;
  else main = <DealsView session={s} route={r} />;

  const navLink = (to: string, label: string, params?: Record<string, string | number>) => (
    <a href={href(to, params)} aria-current={path === to ? 'page' : undefined}>
      {label}
    </a>
  );

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('skip')}
      </a>
      <header class="top">
        <span class="brand">tcdeals</span>
        <nav aria-label={t('nav')}>
          {s ? navLink('/deals', t('deals'), s.role === 'agent' ? { Offset: 0, Limit: 20 } : {}) : null}
          {s?.role === 'agent' ? navLink('/clients', t('clients')) : null}
          {s ? navLink('/charts', t('charts')) : null}
          {navLink('/sandbox', t('sandbox'))}
          {!s ? navLink('/signin', t('signIn')) : null}
        </nav>
        <div class="prefs">
          {s ? (
            <span class="who" title={s.secretId}>
              {t('role')}: {s.role === 'agent' ? t('roleAgent') : t('roleClient')}
            </span>
          ) : null}
          <label>
            <span class="sr-only">{t('language')}</span>
            <select aria-label={t('language')} value={l} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)} data-testid="lang">
              <option value="en-US">English</option>
              <option value="zh-CN">中文</option>
            </select>
          </label>
          <button type="button" aria-pressed={theme === 'dark'} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
            {theme === 'dark' ? t('light') : t('dark')}
          </button>
          {s ? (
            <button
              type="button"
              onClick={() => {
                signOut();
                navigate('/signin', {});
              }}
            >
              {t('signOut')}
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {main}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
