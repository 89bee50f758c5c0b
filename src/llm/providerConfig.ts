/**
 * Where the OpenAI-compatible provider's base URL, key and model come from. Pure: the host reads
 * the settings, SecretStorage and the environment and passes them in.
 *
 * Order: the `codeact.baseUrl` setting, else OPENAI_BASE_URL, else OpenAI. The stored key, else
 * OPENAI_API_KEY. The environment key is only sent to the environment's own base URL or to
 * OpenAI: a key meant for OpenAI must not leak to whatever server a setting points at.
 */

import type { NoticeFix } from '../shared/protocol';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface ProviderSettings {
  readonly baseUrl: string;
  readonly model: string;
}

export interface ResolvedProviderConfig {
  readonly baseURL: string;
  readonly apiKey: string | undefined;
  readonly model: string;
  readonly baseURLSource: 'setting' | 'environment' | 'default';
  readonly apiKeySource: 'secretStorage' | 'environment' | 'none';
}

export type ProviderConfigResult =
  | { readonly ok: true; readonly config: ResolvedProviderConfig }
  | { readonly ok: false; readonly problem: string; readonly fix: NoticeFix; readonly alternativeFix?: NoticeFix };

export type Environment = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isOpenAIHost(url: URL): boolean {
  return url.hostname === 'api.openai.com';
}

export type BaseUrlResult =
  | { readonly ok: true; readonly baseURL: string; readonly url: URL; readonly source: ResolvedProviderConfig['baseURLSource'] }
  | { readonly ok: false; readonly problem: string; readonly fix: NoticeFix };

/** The server requests go to: the setting, else OPENAI_BASE_URL, else OpenAI. */
export function resolveBaseUrl(settings: Pick<ProviderSettings, 'baseUrl'>, env: Environment): BaseUrlResult {
  const settingUrl = nonEmpty(settings.baseUrl);
  const envUrl = nonEmpty(env['OPENAI_BASE_URL']);
  const rawUrl = settingUrl ?? envUrl ?? OPENAI_DEFAULT_BASE_URL;
  const source = settingUrl ? 'setting' : envUrl ? 'environment' : 'default';
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, problem: `The base URL "${rawUrl}" is not a valid URL. Set codeact.baseUrl to e.g. http://localhost:11434/v1.`, fix: 'openSettings' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: `The base URL "${rawUrl}" must start with http:// or https://.`, fix: 'openSettings' };
  }
  return { ok: true, baseURL: rawUrl.replace(/\/+$/, ''), url, source };
}

/**
 * Whose key it is: a stored key belongs to one server (scheme, host and port), so pointing
 * codeact.baseUrl at another server never sends it there.
 */
export function apiKeyOwner(baseURL: string): string {
  return new URL(baseURL).origin;
}

/** Resolves the provider configuration, or says what is missing in words the user can act on. */
export function resolveProviderConfig(
  settings: ProviderSettings,
  storedApiKey: string | undefined,
  env: Environment,
): ProviderConfigResult {
  const base = resolveBaseUrl(settings, env);
  if (!base.ok) return base;
  const { baseURL, url, source: baseURLSource } = base;

  const model = nonEmpty(settings.model);
  if (!model) return { ok: false, problem: 'No model is set. Choose one with "CodeAct: Select Model" (setting codeact.model).', fix: 'selectModel' };

  const stored = nonEmpty(storedApiKey);
  const envKey = nonEmpty(env['OPENAI_API_KEY']);
  const envKeyAllowed = baseURLSource !== 'setting' || isOpenAIHost(url);
  const apiKey = stored ?? (envKeyAllowed ? envKey : undefined);
  const apiKeySource = stored ? 'secretStorage' : apiKey ? 'environment' : 'none';

  if (!apiKey && isOpenAIHost(url)) {
    return {
      ok: false,
      problem: 'No API key for OpenAI. Run "CodeAct: Set API Key", or set OPENAI_API_KEY in the environment; or use a local model server (Ollama, LM Studio…), which needs none.',
      fix: 'setApiKey',
      alternativeFix: 'useLocalServer',
    };
  }
  return { ok: true, config: { baseURL, apiKey, model, baseURLSource, apiKeySource } };
}
