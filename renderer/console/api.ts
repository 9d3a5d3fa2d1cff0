// The console's one way to the hub: same-origin JSON over fetch with the signed-in token. Every
// answer is a value (`{ ok, status, body }`), never a throw, so pages show errors from the catalog.
import type { Role } from '../../common/roles';

/** The signed-in account, kept in sessionStorage (a closed tab signs out). */
export interface Session {
  token: string;
  displayName: string;
  role: Role;
}

const KEY = 'vg.console.session';

export function loadSession(storage: Storage = sessionStorage): Session | null {
  try {
    const s = JSON.parse(storage.getItem(KEY) ?? 'null') as Session | null;
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null, storage: Storage = sessionStorage): void {
  if (s) storage.setItem(KEY, JSON.stringify(s));
  else storage.removeItem(KEY);
}

export interface Answer<T = Record<string, unknown>> {
  ok: boolean;
  status: number;
  body: T;
}

/** Calls the hub; 401 means the session is over (the caller signs out). */
export async function api<T = Record<string, unknown>>(method: string, path: string, token: string | null, body?: unknown): Promise<Answer<T>> {
  try {
    const res = await fetch(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const parsed = (await res.json().catch(() => ({}))) as T;
    return { ok: res.ok, status: res.status, body: parsed };
  } catch (err) {
    return { ok: false, status: 0, body: { code: 'network', message: String(err) } as T };
  }
}
