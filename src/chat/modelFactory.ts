import * as vscode from 'vscode';
import type { ChatModel } from '../llm/chatModel';
import { OpenAIChatModel } from '../llm/openaiChatModel';
import { resolveBaseUrl, resolveProviderConfig } from '../llm/providerConfig';
import { storedApiKey } from './apiKeys';
import { selectVscodeLmChatModel } from '../llm/vscodeLmChatModel';
import { CodeActSettings } from '../platform/settings';
import type { NoticeFix } from '../shared/protocol';

export type ModelChoice =
  | { readonly ok: true; readonly model: ChatModel; readonly contextWindowTokens?: number; readonly endpoint: string }
  | { readonly ok: false; readonly problem: string; readonly fix: NoticeFix; readonly alternativeFix?: NoticeFix };

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
