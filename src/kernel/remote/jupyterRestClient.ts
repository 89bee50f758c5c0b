/**
 * The few Jupyter Server REST calls a remote kernel needs before and around its WebSocket:
 * list kernelspecs (which also proves the server is there and takes the token), start, find,
 * restart and shut down kernels. Our own small client rather than `@jupyterlab/services`'
 * because failures must become precise {@link KernelStartError}s — "connection refused",
 * "token rejected", "no such kernelspec" — and its network error drops the cause.
 */
import { KernelStartError } from '../kernelStartError';
import type { JupyterServerAddress } from './jupyterServerUrl';

/** A kernelspec the server offers. */
export interface KernelSpecSummary {
  readonly name: string;
  readonly displayName: string;
  readonly language: string;
}

export interface KernelSpecList {
  /** The server's default kernelspec (what it starts when no name is given). */
  readonly defaultName: string;
  readonly specs: readonly KernelSpecSummary[];
}

/** A kernel running on the server (`GET /api/kernels/<id>`). */
export interface RemoteKernelModel {
  readonly id: string;
  readonly name: string;
  readonly executionState?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const SERVER_ERROR_ATTEMPTS = 4;
const SERVER_ERROR_RETRY_MS = 500;

export class JupyterRestClient {
  constructor(
    private readonly server: JupyterServerAddress,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** `GET api/kernelspecs`. The first call to a server: every connection problem shows here. */
  async kernelSpecs(): Promise<KernelSpecList> {
    const body = await this.json('GET', 'api/kernelspecs');
    const specs = isObject(body) && isObject(body.kernelspecs) ? body.kernelspecs : undefined;
    if (!isObject(body) || !specs) throw this.notJupyter('its kernelspec list is not what a Jupyter Server sends');
    const summaries = Object.entries(specs).map(([name, entry]): KernelSpecSummary => {
      const spec = isObject(entry) && isObject(entry.spec) ? entry.spec : {};
      return { name, displayName: str(spec.display_name, name), language: str(spec.language) };
    });
    return { defaultName: str(body.default, summaries[0]?.name ?? ''), specs: summaries };
  }

  /** `POST api/kernels`: a new kernel of the kernelspec `name`. */
  async startKernel(name: string): Promise<RemoteKernelModel> {
    const model = kernelModel(await this.json('POST', 'api/kernels', { name }));
    if (!model) throw this.notJupyter('it did not say which kernel it started');
    return model;
  }

  /** `GET api/kernels/<id>`; `undefined` when the server has no such kernel. */
  async kernel(id: string): Promise<RemoteKernelModel | undefined> {
    const response = await this.request('GET', kernelPath(id), undefined, [404]);
    if (response.status === 404) return undefined;
    return kernelModel(await this.parse(response));
  }

  /** `POST api/kernels/<id>/restart`. */
  async restartKernel(id: string): Promise<void> {
    await this.retryingServerErrors(() => this.request('POST', `${kernelPath(id)}/restart`));
  }

  /** `DELETE api/kernels/<id>`; false when the kernel was already gone. */
  async shutdownKernel(id: string): Promise<boolean> {
    const response = await this.retryingServerErrors(() => this.request('DELETE', kernelPath(id), undefined, [404]));
    return response.status !== 404;
  }

  /**
   * Tries `call` again a few times when the server fails with a 5xx: right after a kernel
   * crashed the server is restarting it itself, and fails a restart or shutdown asked for
   * meanwhile (jupyter_server 1.23 answers 500) instead of waiting.
   */
  private async retryingServerErrors<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (attempt >= SERVER_ERROR_ATTEMPTS || !(error instanceof KernelStartError) || error.reason !== 'serverError') throw error;
        await new Promise((resolve) => setTimeout(resolve, SERVER_ERROR_RETRY_MS));
      }
    }
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.parse(await this.request(method, path, body));
  }

  private async parse(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch {
      throw this.notJupyter('it answered with something other than JSON');
    }
  }

  /** One request; anything but a 2xx (or a status in `allowed`) becomes a KernelStartError. */
  private async request(method: string, path: string, body?: unknown, allowed: readonly number[] = []): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.server.token !== '') headers.Authorization = `token ${this.server.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.server.baseUrl}${path}`, {
        method,
        headers,
        // A login page behind a redirect would otherwise look like a 200 full of HTML.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw describeNetworkFailure(error, this.server.baseUrl, this.timeoutMs);
    }
    if (response.ok || allowed.includes(response.status)) return response;
    throw await describeHttpFailure(response, this.server);
  }

  private notJupyter(why: string): KernelStartError {
    return KernelStartError.forServer('serverError', `${this.server.baseUrl} answered, but ${why}. Is this the URL of a Jupyter Server?`, this.server.baseUrl);
  }
}

/** A request that got no HTTP answer at all: refused, unknown host, TLS, timeout. */
export function describeNetworkFailure(error: unknown, baseUrl: string, timeoutMs: number): KernelStartError {
  const fail = (message: string): KernelStartError => KernelStartError.forServer('serverUnreachable', message, baseUrl);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return fail(`The Jupyter Server at ${baseUrl} did not answer within ${Math.round(timeoutMs / 1000)} s.`);
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = isObject(cause) && typeof cause.code === 'string' ? cause.code : undefined;
  const host = hostOf(baseUrl);
  switch (code) {
    case 'ECONNREFUSED':
      return fail(`Nothing is listening at ${baseUrl} (connection refused). Is the Jupyter Server running, and are the host and port right?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`The host "${host}" of ${baseUrl} was not found (${code}). Check the server URL.`);
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return fail(`Could not reach the Jupyter Server at ${baseUrl} (${code}). Check the URL and your network (VPN, firewall, SSH tunnel).`);
    default:
      break;
  }
  if (code !== undefined && /CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
    return fail(`The TLS certificate of ${baseUrl} was not accepted (${code}).`);
  }
  const detail = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return fail(`Could not reach the Jupyter Server at ${baseUrl}: ${detail}${code ? ` (${code})` : ''}.`);
}

/** A request the server answered with an error status. */
export async function describeHttpFailure(response: Response, server: JupyterServerAddress): Promise<KernelStartError> {
  const baseUrl = server.baseUrl;
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const fail = (reason: 'authFailed' | 'serverError' | 'kernelNotFound', message: string): KernelStartError => KernelStartError.forServer(reason, message, baseUrl);
  if (response.status === 401 || response.status === 403) {
    return fail(
      'authFailed',
      server.token === ''
        ? `The Jupyter Server at ${baseUrl} needs a token (${status}). Paste the URL with its ?token=… as the server printed it, or give the token.`
        : `The Jupyter Server at ${baseUrl} rejected the token (${status}). Check the token, or paste the URL with its ?token=… as the server printed it.`,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location') ?? '';
    if (/login|oauth|auth/i.test(location)) {
      return fail('authFailed', `The Jupyter Server at ${baseUrl} sent us to its login page: the token was not accepted (${status}).`);
    }
    return fail('serverError', `The Jupyter Server at ${baseUrl} redirected to ${location || 'another address'} (${status}). Use the address it redirects to.`);
  }
  const message = await serverMessage(response);
  if (response.status === 404) {
    return fail('serverError', `There is no Jupyter Server API at ${baseUrl} (${status}). Check the path of the URL (for JupyterHub: …/user/<name>/).`);
  }
  if (response.status === 424 || response.status === 503) {
    return fail('serverError', `The Jupyter Server at ${baseUrl} is not running (${status}); start it (from JupyterHub, if it is one) and try again.${message ? ` ${message}` : ''}`);
  }
  if (/NoSuchKernel|No such kernel/i.test(message)) {
    return fail('kernelNotFound', `The Jupyter Server at ${baseUrl} has no such kernel: ${message}`);
  }
  return fail('serverError', `The Jupyter Server at ${baseUrl} failed (${status})${message ? `: ${message}` : '.'}`);
}

/** The server's own explanation: Jupyter sends `{"message": …}`; the last traceback line when that is generic. */
async function serverMessage(response: Response): Promise<string> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return '';
  }
  if (!isObject(body)) return '';
  const message = str(body.message).trim();
  const traceback = str(body.traceback).trim();
  const lastTracebackLine = traceback.split('\n').pop()?.trim() ?? '';
  if (lastTracebackLine && (message === '' || /^Unhandled error$/i.test(message))) return lastTracebackLine;
  return message;
}

function kernelModel(body: unknown): RemoteKernelModel | undefined {
  if (!isObject(body) || typeof body.id !== 'string' || typeof body.name !== 'string') return undefined;
  const executionState = typeof body.execution_state === 'string' ? body.execution_state : undefined;
  return { id: body.id, name: body.name, ...(executionState !== undefined ? { executionState } : {}) };
}

function kernelPath(id: string): string {
  return `api/kernels/${encodeURIComponent(id)}`;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname;
  } catch {
    return baseUrl;
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}
