/**
 * Turns what a user pastes into the address of a Jupyter Server: the URL `jupyter lab` or
 * `jupyter server` prints (`http://host:8888/lab?token=…`), a JupyterHub server
 * (`https://hub.example.org/user/alice/?token=…`), or a base URL with the token given apart.
 * Pure: no I/O, so every case is unit-tested.
 */

/** Where a Jupyter Server is and how to authenticate with it. */
export interface JupyterServerAddress {
  /** The server's base URL, always ending in `/` and never carrying the token. */
  readonly baseUrl: string;
  /** The same base for WebSockets (`ws:` or `wss:`). */
  readonly wsUrl: string;
  /** The token; empty when the server needs none (or authenticates some other way). */
  readonly token: string;
}

export type JupyterServerUrlResult = { readonly ok: true; readonly address: JupyterServerAddress } | { readonly ok: false; readonly error: string };

/**
 * The first path segment of a page of the server's own UI or API: the base URL ends right
 * before it (`/jupyter/lab/tree/x.ipynb` → `/jupyter/`).
 */
const APP_SEGMENTS = new Set([
  'lab',
  'tree',
  'notebooks',
  'edit',
  'view',
  'files',
  'terminals',
  'doc',
  'api',
  'nbclassic',
  'retro',
  'voila',
  'login',
  'logout',
  'kernelspecs',
  'static',
]);

/** `scheme:` followed by something that is not a port number (`localhost:8888` has none). */
const SCHEME = /^([a-z][a-z0-9+.-]*):(?!\d+(?:[/?#]|$))/i;

/**
 * Parses `input` (a URL, perhaps with `?token=`). `token`, when given and not blank, wins
 * over a token in the URL: it is what the user typed on purpose.
 */
export function parseJupyterServerUrl(input: string, token?: string): JupyterServerUrlResult {
  const text = unwrap(input);
  if (text === '') return fail('Enter the URL of a Jupyter Server, e.g. http://localhost:8888/?token=…');
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    return fail(`"${scheme}:" is not a Jupyter Server address; use an http:// or https:// URL.`);
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `http://${text}` : text);
  } catch {
    return fail(`"${redact(text)}" is not a valid URL.`);
  }
  if (url.hostname === '') return fail(`"${redact(text)}" has no host name.`);
  if (url.username !== '' || url.password !== '') {
    return fail('Remove the user name and password from the URL; Jupyter Servers authenticate with a token.');
  }
  const path = basePath(url.pathname);
  if (path === undefined) {
    return fail("That is the JupyterHub's own address. Start your server from the hub and paste its URL (…/user/<name>/) with an API token.");
  }
  const explicitToken = token?.trim() ?? '';
  const origin = `${url.protocol}//${url.host}`;
  const baseUrl = `${origin}${path}`;
  return {
    ok: true,
    address: {
      baseUrl,
      wsUrl: `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${path}`,
      token: explicitToken !== '' ? explicitToken : tokenIn(url),
    },
  };
}

/** Strips what terminals and chat add around a pasted URL: spaces, quotes, angle brackets. */
function unwrap(input: string): string {
  let text = input.trim();
  while (text.length >= 2 && `"'<\``.includes(text[0] ?? '') && text.endsWith(closing(text[0] ?? ''))) {
    text = text.slice(1, -1).trim();
  }
  return text;
}

function closing(open: string): string {
  return open === '<' ? '>' : open;
}

/**
 * The base path, ending in `/`: everything before the first segment of the server's UI or
 * API. A JupyterHub `user/<name>` pair is kept whole (a user may be called "lab"). `undefined`
 * for the hub's own pages (`/hub/…`), which are no Jupyter Server.
 */
function basePath(pathname: string): string | undefined {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const kept: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (segment === 'user' && i + 1 < segments.length) {
      kept.push(segment, segments[i + 1] ?? '');
      i++;
      continue;
    }
    if (segment === 'hub' && !kept.includes('user')) return undefined;
    if (APP_SEGMENTS.has(segment)) break;
    kept.push(segment);
  }
  return kept.length === 0 ? '/' : `/${kept.join('/')}/`;
}

/** `?token=` first, then `#token=` (some launchers put it in the fragment to keep it out of logs). */
function tokenIn(url: URL): string {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return fromQuery.trim();
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  return fragment.get('token')?.trim() ?? '';
}

/** A URL for an error message, its token replaced. */
function redact(text: string): string {
  return text.replace(/([?&#]token=)[^&#\s]*/gi, '$1…');
}

function fail(error: string): JupyterServerUrlResult {
  return { ok: false, error };
}

/** Where Jupyter Server tokens were kept before each server had its own (one for all). */
export const LEGACY_JUPYTER_TOKEN_SECRET = 'codeact.jupyterServerToken';

/**
 * The SecretStorage key of the token for the server at `baseUrl`: one per server (scheme, host
 * and port), so a token given for one server never goes to another, even when the URL in the
 * settings is edited by hand. A token kept under the old shared key is never used (it cannot
 * tell which server it was for); connecting again stores it under its server.
 */
export function jupyterTokenSecret(baseUrl: string): string {
  let owner: string;
  try {
    owner = new URL(baseUrl).origin;
  } catch {
    owner = baseUrl;
  }
  return `${LEGACY_JUPYTER_TOKEN_SECRET}@${owner}`;
}
