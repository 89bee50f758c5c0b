import * as vscode from 'vscode';
import { redactSecrets } from '../shared/redact';

/** The component a log line comes from, shown as its tag. */
export type LogTag = 'Extension' | 'Chat' | 'Webview' | 'Agent' | 'Kernel' | 'Model' | 'Store';

/** One tagged facade over the "CodeAct" log channel. Never logs keys; prompts only at debug. */
export class Logger implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name = 'CodeAct') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(tag: LogTag, message: string): void {
    this.channel.trace(this.format(tag, message));
  }

  debug(tag: LogTag, message: string): void {
    this.channel.debug(this.format(tag, message));
  }

  info(tag: LogTag, message: string): void {
    this.channel.info(this.format(tag, message));
  }

  warn(tag: LogTag, message: string): void {
    this.channel.warn(this.format(tag, message));
  }

  error(tag: LogTag, message: string, error?: unknown): void {
    const detail = error === undefined ? '' : `: ${describeError(error)}`;
    this.channel.error(this.format(tag, message + detail));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private format(tag: LogTag, message: string): string {
    return `[${tag}] ${redactSecrets(message)}`;
  }
}

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
