import * as vscode from 'vscode';
import type { ChatModel } from '../llm/chatModel';
import { OpenAIChatModel } from '../llm/openaiChatModel';
import { apiKeyOwner, resolveBaseUrl, resolveProviderConfig } from '../llm/providerConfig';
import { selectVscodeLmChatModel } from '../llm/vscodeLmChatModel';
import { CodeActSettings } from '../platform/settings';
import type { NoticeFix } from '../shared/protocol';

/** Where keys were kept before each server had its own (see storedApiKey). */
const LEGACY_API_KEY_SECRET = 'codeact.apiKey';

/** The SecretStorage key of the API key for the server at `baseURL`. */
export function apiKeySecret(baseURL: string): string {
  return `${LEGACY_API_KEY_SECRET}@${apiKeyOwner(baseURL)}`;
}

/**
 * The key stored for the server at `baseURL`. A key saved before keys were kept per server
 * goes, once, to the first server it is asked for (the one it was being used with).
 */
export async function storedApiKey(secrets: vscode.SecretStorage, baseURL: string): Promise<string | undefined> {
  const name = apiKeySecret(baseURL);
  const own = await secrets.get(name);
  if (own !== undefined) return own;
  const legacy = await secrets.get(LEGACY_API_KEY_SECRET);
  if (legacy === undefined) return undefined;
  await secrets.store(name, legacy);
  await secrets.delete(LEGACY_API_KEY_SECRET);
  return legacy;
}

export type ModelChoice =
  | { readonly ok: true; readonly model: ChatModel; readonly contextWindowTokens?: number; readonly endpoint: string }
  | { readonly ok: false; readonly problem: string; readonly fix: NoticeFix };

/**
 * Builds the chat model the settings ask for. The API key comes only from SecretStorage (or
 * the environment, as resolveProviderConfig allows); it is never read from settings.
 */
export async function createChatModel(settings: CodeActSettings, secrets: vscode.SecretStorage): Promise<ModelChoice> {
  if (settings.provider === 'vscode-lm') {
    const selector = settings.model ? { family: settings.model } : {};
    const model = (await selectVscodeLmChatModel(selector)) ?? (await selectVscodeLmChatModel({}));
    if (!model) {
      return { ok: false, problem: vscode.l10n.t('VS Code offers no language model. Install a model provider (such as GitHub Copilot) or set codeact.provider to "openai".'), fix: 'openSettings' };
    }
    return { ok: true, model, contextWindowTokens: model.maxInputTokens, endpoint: 'VS Code Language Model API' };
  }
  const base = resolveBaseUrl(settings, process.env);
  if (!base.ok) return base;
  const resolved = resolveProviderConfig({ baseUrl: settings.baseUrl, model: settings.model }, await storedApiKey(secrets, base.baseURL), process.env);
  if (!resolved.ok) return resolved;
  const { config } = resolved;
  return {
    ok: true,
    model: new OpenAIChatModel({ baseURL: config.baseURL, apiKey: config.apiKey, model: config.model, sendImages: settings.sendImages }),
    endpoint: config.baseURL,
  };
}
