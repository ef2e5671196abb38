/**
 * Who is signed in. The key lives in memory; with "keep for this tab" also in sessionStorage
 * (never localStorage, never a URL). The admin token likewise.
 */
import type { Credentials } from './api';
import { signal } from './signals';

export type Role = 'agent' | 'client';

export interface Session extends Credentials {
  role: Role;
}

const KEY = 'tcdeals.session';
const ADMIN = 'tcdeals.admin';

function load<T>(key: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export const session = signal<Session | undefined>(load<Session>(KEY));
export const adminToken = signal<string | undefined>(load<string>(ADMIN));

export function signInAs(s: Session, remember: boolean) {
  if (remember) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  session.set(s);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  session.set(undefined);
}

export function setAdminToken(token: string | undefined) {
  if (token) sessionStorage.setItem(ADMIN, JSON.stringify(token));
  else sessionStorage.removeItem(ADMIN);
  adminToken.set(token);
}

/** The admin API (plain JSON, Bearer token). */
export async function admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const token = adminToken.get();
  const res = await fetch(`/_tcdeals/admin${path}`, {
    method,
    credentials: 'omit',
    cache: 'no-store',
    headers: { Authorization: `Bearer ${token ?? ''}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as T & { error?: { code: string; message: string } }) : ({} as T & { error?: { code: string; message: string } });
  if (!res.ok) throw new Error(json.error ? `[${json.error.code}] ${json.error.message}` : `HTTP ${res.status}`);
  return json;
}
