import * as vscode from 'vscode';
import { OpenAIChatModel } from '../llm/openaiChatModel';
import { resolveBaseUrl, resolveProviderConfig } from '../llm/providerConfig';
import type { Logger } from '../platform/logger';
import { SettingKeys, readSettings } from '../platform/settings';
import { storedApiKey } from './apiKeys';

/** The models to choose from, or why the server could not list them. */
type ModelOptions = { readonly ids: readonly string[]; readonly problem?: undefined } | { readonly ids?: undefined; readonly problem: string };

type ModelItem = vscode.QuickPickItem & { readonly model?: string; readonly typeName?: boolean };

/**
 * "CodeAct: Select Model": the models the provider offers (an OpenAI-compatible server's
 * `GET /models`, or VS Code's language models), with a name typed freely as the fallback:
 * some servers list nothing, and a model may be served without being listed.
 */
export async function pickModel(secrets: vscode.SecretStorage, logger: Logger): Promise<void> {
  const settings = readSettings();
  const current = settings.model;
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = vscode.l10n.t('CodeAct: Select Model');
  pick.placeholder = vscode.l10n.t('Loading the models the server offers… (or type a model name)');
  pick.ignoreFocusOut = true;
  pick.busy = true;
  const typeName: ModelItem = { label: vscode.l10n.t('$(edit) Enter a model name…'), typeName: true, alwaysShow: true };
  pick.items = [typeName];
  const loading = new AbortController();
  const listed = listModels(settings.provider, secrets, loading.signal).then((options) => {
    pick.busy = false;
    if (options.problem !== undefined) {
      logger.warn('Model', `could not list the models: ${options.problem}`);
      pick.placeholder = vscode.l10n.t('The server did not list its models ({0}). Type a model name.', options.problem);
      return;
    }
    pick.placeholder = vscode.l10n.t('Choose a model, or type a name');
    const items: ModelItem[] = options.ids.map((id) => ({ label: id, model: id, ...(id === current ? { description: vscode.l10n.t('current') } : {}) }));
    pick.items = [...items, { label: '', kind: vscode.QuickPickItemKind.Separator }, typeName];
    const active = items.find((item) => item.model === current) ?? items[0];
    if (active) pick.activeItems = [active];
  });
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const [item] = pick.selectedItems;
      const typed = pick.value.trim();
      // A listed model; else the name typed (a model the server serves without listing it);
      // else "Enter a model name…" opens a box with the current name to edit.
      resolve(item?.model ?? (typed || (item?.typeName ? '' : undefined)));
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  loading.abort();
  await listed.catch(() => undefined);
  pick.dispose();
  let model = chosen;
  if (model === '') {
    model = await vscode.window.showInputBox({ title: vscode.l10n.t('CodeAct: Select Model'), prompt: vscode.l10n.t('Model name to send to the provider'), value: current, ignoreFocusOut: true });
  }
  if (model === undefined || model.trim() === '' || model.trim() === current) return;
  await vscode.workspace.getConfiguration('codeact').update(SettingKeys.model, model.trim(), vscode.ConfigurationTarget.Global);
}

async function listModels(provider: 'openai' | 'vscode-lm', secrets: vscode.SecretStorage, signal: AbortSignal): Promise<ModelOptions> {
  try {
    if (provider === 'vscode-lm') {
      // createChatModel selects by family, so that is what the setting holds.
      const families = (await vscode.lm.selectChatModels({})).map((chat) => chat.family || chat.id);
      return families.length > 0 ? { ids: [...new Set(families)] } : { problem: vscode.l10n.t('VS Code offers no language model') };
    }
    const settings = readSettings();
    const base = resolveBaseUrl(settings, process.env);
    if (!base.ok) return { problem: base.problem };
    // Any model name will do to list them; the address and the key are those a request uses.
    const resolved = resolveProviderConfig({ baseUrl: settings.baseUrl, model: settings.model || 'any' }, await storedApiKey(secrets, base.baseURL), process.env);
    if (!resolved.ok) return { problem: resolved.problem };
    const model = new OpenAIChatModel({ baseURL: resolved.config.baseURL, apiKey: resolved.config.apiKey, model: resolved.config.model });
    const ids = await model.listModels(signal);
    return ids.length > 0 ? { ids } : { problem: vscode.l10n.t('it listed none') };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}
