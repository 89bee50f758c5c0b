import * as vscode from 'vscode';
import type { ActionFormat } from '../agent/replyScanner';

/** Setting keys, declared once (they match `contributes.configuration` in package.json). */
export const SettingKeys = {
  provider: 'provider',
  baseUrl: 'baseUrl',
  model: 'model',
  actionFormat: 'actionFormat',
  maxActionsPerTask: 'maxActionsPerTask',
  autoApprove: 'autoApprove',
  autoApproveMaxActions: 'autoApproveMaxActions',
  riskyCodeAlwaysAsks: 'riskyCodeAlwaysAsks',
  pythonPath: 'pythonPath',
  actionTimeoutSeconds: 'actionTimeoutSeconds',
  observationMaxChars: 'observationMaxChars',
  instructions: 'instructions',
  sendImages: 'sendImages',
  contextWindowTokens: 'contextWindowTokens',
  jupyterKernelProbes: 'jupyterKernelProbes',
  jupyterServerUrl: 'jupyterServerUrl',
} as const;


export interface CodeActSettings {
  readonly provider: 'openai' | 'vscode-lm';
  readonly baseUrl: string;
  readonly model: string;
  readonly actionFormat: ActionFormat;
  readonly maxActionsPerTask: number;
  readonly autoApprove: boolean;
  readonly autoApproveMaxActions: number;
  readonly riskyCodeAlwaysAsks: boolean;
  readonly pythonPath: string;
  readonly actionTimeoutSeconds: number;
  readonly observationMaxChars: number;
  readonly instructions: string;
  readonly sendImages: 'auto' | 'always' | 'never';
  readonly contextWindowTokens: number;
  readonly jupyterKernelProbes: boolean;
  /** A Jupyter Server for the CodeAct Python kernel (its token is in SecretStorage); empty: local. */
  readonly jupyterServerUrl: string;
}

const SECTION = 'codeact';

/**
 * Reads every CodeAct setting with its declared default. Security-relevant switches are read
 * from the user's global value only, so a workspace's settings file can never turn on
 * auto-approve or turn off the risky-code check.
 */
export function readSettings(scope?: vscode.ConfigurationScope): CodeActSettings {
  // Only `pythonPath` (machine-overridable) can differ per folder; every other key is window or
  // application scoped, and reading one of those through a resource makes VS Code log a warning
  // per key and per read ("Accessing a window scoped configuration for a resource…").
  const config = vscode.workspace.getConfiguration(SECTION);
  const forResource = scope === undefined ? config : vscode.workspace.getConfiguration(SECTION, scope);
  const globalOnly = <T>(key: string, fallback: T): T => config.inspect<T>(key)?.globalValue ?? fallback;
  return {
    provider: config.get(SettingKeys.provider, 'openai'),
    // Where the API key and the Jupyter token are sent: user settings only, so that a
    // workspace's settings file cannot send the user's secrets to a server of its choosing.
    baseUrl: globalOnly(SettingKeys.baseUrl, '').trim(),
    model: config.get(SettingKeys.model, 'gpt-4o-mini').trim(),
    actionFormat: config.get(SettingKeys.actionFormat, 'auto'),
    maxActionsPerTask: Math.max(1, config.get(SettingKeys.maxActionsPerTask, 20)),
    autoApprove: globalOnly(SettingKeys.autoApprove, false),
    autoApproveMaxActions: Math.max(1, globalOnly(SettingKeys.autoApproveMaxActions, 10)),
    riskyCodeAlwaysAsks: globalOnly(SettingKeys.riskyCodeAlwaysAsks, true),
    pythonPath: forResource.get(SettingKeys.pythonPath, '').trim(),
    actionTimeoutSeconds: Math.max(1, config.get(SettingKeys.actionTimeoutSeconds, 120)),
    observationMaxChars: Math.max(500, config.get(SettingKeys.observationMaxChars, 8000)),
    instructions: config.get(SettingKeys.instructions, ''),
    sendImages: config.get(SettingKeys.sendImages, 'auto'),
    contextWindowTokens: Math.max(0, config.get(SettingKeys.contextWindowTokens, 0)),
    jupyterKernelProbes: config.get(SettingKeys.jupyterKernelProbes, false),
    jupyterServerUrl: globalOnly(SettingKeys.jupyterServerUrl, '').trim(),
  };
}

/** True when a configuration change touches any CodeAct setting. */
export function affectsCodeAct(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(SECTION);
}
