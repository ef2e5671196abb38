/** Hash routes: `#/agent/deals?Status=4&Offset=40`. The URL holds the filters; the back button works. */
import { signal } from './signals';

export interface Route {
  path: string;
  params: URLSearchParams;
}

function parse(): Route {
  const h = location.hash.replace(/^#/, '') || '/';
  const q = h.indexOf('?');
  return { path: q < 0 ? h : h.slice(0, q), params: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
}

export const route = signal<Route>(parse());
addEventListener('hashchange', () => route.set(parse()));

export function href(path: string, params?: Record<string, string | number | undefined> | URLSearchParams): string {
  const p = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (params && !(params instanceof URLSearchParams)) for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const qs = p.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | number | undefined> | URLSearchParams, replace = false) {
  const h = href(path, params);
  if (replace) history.replaceState(null, '', h);
  else location.hash = h;
  route.set(parse());
}
