import * as vscode from 'vscode';
import { OpenAIChatModel } from '../llm/openaiChatModel';
import { SettingKeys } from '../platform/settings';

/** Where the common local model servers listen by default (their OpenAI-compatible API). */
const LOCAL_SERVERS: readonly { readonly name: string; readonly url: string }[] = [
  { name: 'Ollama', url: 'http://localhost:11434/v1' },
  { name: 'LM Studio', url: 'http://localhost:1234/v1' },
  { name: 'llama.cpp server', url: 'http://localhost:8080/v1' },
  { name: 'vLLM', url: 'http://localhost:8000/v1' },
];

/** How long a local server gets to answer before it is listed as not running. */
const PROBE_MS = 1_500;

type ServerItem = vscode.QuickPickItem & { readonly url?: string };

/**
 * "CodeAct: Use a Local Model Server…": the common local servers, each marked running (with
 * its model count) or not, and any other URL; then the model to use on it. Many users run
 * Ollama or LM Studio and need no API key.
 */
export async function pickLocalServer(): Promise<void> {
  const pick = vscode.window.createQuickPick<ServerItem>();
  pick.title = vscode.l10n.t('CodeAct: Use a Local Model Server');
  pick.placeholder = vscode.l10n.t('Choose a server, or type its OpenAI-compatible URL (e.g. http://localhost:11434/v1)');
  pick.ignoreFocusOut = true;
  const item = (server: (typeof LOCAL_SERVERS)[number], detail: string): ServerItem => ({ label: server.name, description: server.url, detail, url: server.url });
  pick.items = LOCAL_SERVERS.map((server) => item(server, vscode.l10n.t('checking…')));
  pick.busy = true;
  const probes = Promise.all(
    LOCAL_SERVERS.map(async (server) => {
      const models = await new OpenAIChatModel({ baseURL: server.url, apiKey: undefined, model: 'any' }).listModels(AbortSignal.timeout(PROBE_MS)).catch(() => undefined);
      return item(server, models === undefined ? vscode.l10n.t('not running') : vscode.l10n.t('running, {0} models', models.length));
    }),
  ).then((items) => {
    // Running servers first; the list keeps its order otherwise.
    pick.items = [...items.filter((i) => !i.detail?.startsWith('not')), ...items.filter((i) => i.detail?.startsWith('not'))];
    pick.busy = false;
  });
  const url = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const typed = pick.value.trim();
      resolve(pick.selectedItems[0]?.url ?? (typed || undefined));
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  await probes.catch(() => undefined);
  pick.dispose();
  if (!url) return;
  await vscode.workspace.getConfiguration('codeact').update(SettingKeys.baseUrl, url, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('codeact.selectModel');
}
