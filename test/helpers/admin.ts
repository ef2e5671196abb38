/** Calls to the admin API under /_tcdeals/admin with a bearer token. */
export interface AdminAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export type AdminCall = (method: string, path: string, body?: unknown, init?: { headers?: Record<string, string>; raw?: string | Buffer }) => Promise<AdminAnswer>;

/** `url` is the server's base URL (`http://127.0.0.1:PORT/`); `token` undefined sends no Authorization. */
export function adminClient(url: string, token: string | undefined): AdminCall {
  const base = new URL('/_tcdeals/admin', url).toString();
  return async (method, path, body, init = {}) => {
    const headers: Record<string, string> = { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) };
    let payload: string | Buffer | undefined;
    if (init.raw !== undefined) payload = init.raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${base}${path}`, { method, headers: { ...headers, ...init.headers }, body: payload });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

/** The lines of an NDJSON answer, parsed. */
export function ndjson(text: string): any[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}
