import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { chatContentSecurityPolicy } from '../shared/csp';
import { chatDocument } from './chatDocument';

/** A fresh nonce for each rendering; only scripts carrying it may run. */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** Builds the one HTML document of the chat view. All assets come from dist/ via asWebviewUri. */
export function renderChatHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = createNonce();
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', name)).toString();
  return chatDocument({ csp: chatContentSecurityPolicy(webview.cspSource, nonce), nonce, stylesheets: [asset('webview.css')], script: asset('webview.js') });
}
