/**
 * What went wrong with a model request, as data, and the sentence the user reads about it.
 * Pure: providers classify their own errors into a {@link ModelFailure}; everything after that
 * (retry decisions, messages) is decided here and tested without a network.
 */

export type ModelFailureKind =
  | 'auth' // 401: the key was rejected
  | 'forbidden' // 403: the key may not use this model
  | 'modelNotFound' // 404
  | 'rateLimited' // 429, worth retrying
  | 'quotaExceeded' // 429 insufficient_quota: retrying will not help
  | 'contextTooLong' // 400 about the prompt's length
  | 'badRequest' // other 4xx
  | 'server' // 5xx
  | 'unreachable' // nothing listens there, or the name does not resolve
  | 'connectionLost' // the connection dropped, possibly mid-reply
  | 'timeout'
  | 'aborted' // the user stopped it
  | 'emptyReply' // the reply had no text and no tool call
  | 'unknown';

export interface ModelFailure {
  readonly kind: ModelFailureKind;
  readonly status?: number;
  /** The server's own error message, when it sent one. */
  readonly serverMessage?: string;
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  /** A network error code such as ECONNREFUSED. */
  readonly networkCode?: string;
}

/** Where the request went, for messages. */
export interface ModelEndpoint {
  readonly baseURL: string;
  readonly model: string;
}

/** Network error codes that mean "nothing answers at that address": retrying will not help. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Codes of a connection that existed and broke: worth retrying. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Classifies an HTTP error status and body. */
export function failureFromHttp(
  status: number,
  serverMessage: string | undefined,
  errorCode: string | undefined,
  retryAfterMs: number | undefined,
): ModelFailure {
  const base = {
    status,
    ...(serverMessage ? { serverMessage } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  if (status === 401) return { kind: 'auth', ...base };
  if (status === 403) return { kind: 'forbidden', ...base };
  if (status === 404) return { kind: 'modelNotFound', ...base };
  if (status === 429) {
    const noQuota = errorCode === 'insufficient_quota' || /insufficient[_ ]quota|exceeded your current quota/i.test(serverMessage ?? '');
    return { kind: noQuota ? 'quotaExceeded' : 'rateLimited', ...base };
  }
  if (status === 408) return { kind: 'timeout', ...base };
  if (status >= 500) return { kind: 'server', ...base };
  if (status === 400 || status === 413 || status === 422) {
    if (errorCode === 'context_length_exceeded' || looksLikeContextTooLong(serverMessage ?? '')) {
      return { kind: 'contextTooLong', ...base };
    }
  }
  return { kind: 'badRequest', ...base };
}

function looksLikeContextTooLong(message: string): boolean {
  return /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|reduce the length/i.test(message);
}

/** Classifies a network error by the codes found along its `cause` chain. */
export function failureFromNetworkCodes(codes: readonly string[], message: string): ModelFailure {
  const unreachable = codes.find((c) => UNREACHABLE_CODES.has(c));
  if (unreachable) return { kind: 'unreachable', networkCode: unreachable };
  const timeout = codes.find((c) => TIMEOUT_CODES.has(c));
  if (timeout) return { kind: 'timeout', networkCode: timeout };
  const dropped = codes.find((c) => DROPPED_CODES.has(c));
  if (dropped) return { kind: 'connectionLost', networkCode: dropped };
  if (/bad port|invalid url|unsupported protocol/i.test(message)) return { kind: 'unreachable', serverMessage: message };
  if (/terminated|socket hang up|other side closed|premature close/i.test(message)) return { kind: 'connectionLost', serverMessage: message };
  if (/timed? ?out/i.test(message)) return { kind: 'timeout' };
  // A fetch that failed without a recognisable cause: most often nothing listens there.
  return { kind: 'unreachable', serverMessage: message };
}

/** Collects `code` values (and the codes of AggregateError members) along an error's cause chain. */
export function networkCodesOf(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    if (Array.isArray(record.errors)) {
      for (const inner of record.errors as unknown[]) {
        const innerCode = (inner as { code?: unknown } | null)?.code;
        if (typeof innerCode === 'string') codes.push(innerCode);
      }
    }
    current = record.cause;
  }
  return codes;
}

/** Parses Retry-After (seconds or an HTTP date) and the non-standard retry-after-ms. */
export function parseRetryAfterMs(retryAfterMsHeader: string | null | undefined, retryAfterHeader: string | null | undefined, nowMs: number): number | undefined {
  if (retryAfterMsHeader) {
    const ms = Number(retryAfterMsHeader);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (retryAfterHeader) {
    const trimmed = retryAfterHeader.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  return undefined;
}

/** A short host label for messages ("api.openai.com", "127.0.0.1:11434"). */
export function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host || baseURL;
  } catch {
    return baseURL;
  }
}

function detail(failure: ModelFailure): string {
  return failure.serverMessage ? `: ${failure.serverMessage}` : '';
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}

/** The message the user reads when a request finally fails (after any retries). */
export function describeModelFailure(failure: ModelFailure, endpoint: ModelEndpoint, retriesMade = 0): string {
  const host = hostOf(endpoint.baseURL);
  const afterRetries = retriesMade > 0 ? ` (after ${retriesMade} ${retriesMade === 1 ? 'retry' : 'retries'})` : '';
  switch (failure.kind) {
    case 'auth':
      return `The API key was rejected by ${host} (401${detail(failure)}). Set a new one with "CodeAct: Set API Key".`;
    case 'forbidden':
      return `${host} does not allow this key to use the model "${endpoint.model}" (403${detail(failure)}).`;
    case 'modelNotFound':
      return `The server at ${endpoint.baseURL} has no model "${endpoint.model}" (404${detail(failure)}). Choose another with "CodeAct: Select Model", or check the base URL (it usually ends in /v1).`;
    case 'rateLimited':
      return `${host} is rate limiting requests (429)${afterRetries}${failure.retryAfterMs !== undefined ? `; it asks to wait ${seconds(failure.retryAfterMs)}` : ''}. Wait a little, then press Retry.`;
    case 'quotaExceeded':
      return `The account behind this API key has no quota left on ${host} (429${detail(failure)}).`;
    case 'contextTooLong':
      return `The conversation is too long for the model "${endpoint.model}"${detail(failure)}. Start a new chat, or set codeact.contextWindowTokens to the model's real window so older outputs are shortened sooner.`;
    case 'badRequest':
      return `${host} rejected the request (${failure.status ?? 'HTTP error'}${detail(failure)}).`;
    case 'server':
      return `${host} failed with HTTP ${failure.status ?? '5xx'}${afterRetries}${detail(failure)}. Try again in a moment.`;
    case 'unreachable':
      return `Cannot reach ${endpoint.baseURL} — is the server running?${failure.networkCode ? ` (${failure.networkCode})` : ''}`;
    case 'connectionLost':
      return `The connection to ${host} dropped before the reply was complete${afterRetries}. Try again.`;
    case 'timeout':
      return `${host} did not answer in time${afterRetries}.`;
    case 'aborted':
      return 'Stopped.';
    case 'emptyReply':
      return `The model "${endpoint.model}" sent an empty reply: no text and no code. Retry, or choose another model.`;
    case 'unknown':
      return `The model request failed${detail(failure)}.`;
  }
}

/** A short phrase for "retrying because …" notices. */
export function retryReason(failure: ModelFailure): string {
  switch (failure.kind) {
    case 'rateLimited':
      return 'rate limited (429)';
    case 'server':
      return `server error (${failure.status ?? '5xx'})`;
    case 'connectionLost':
      return 'the connection dropped';
    case 'timeout':
      return 'the request timed out';
    default:
      return failure.kind;
  }
}
