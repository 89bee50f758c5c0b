import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { chatContentSecurityPolicy } from '../shared/csp';

/** A fresh nonce for each rendering; only scripts carrying it may run. */
export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

/** Builds the one HTML document of the chat view. All assets come from dist/ via asWebviewUri. */
export function renderChatHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = createNonce();
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', name)).toString();
  const csp = chatContentSecurityPolicy(webview.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('webview.css')}">
  <title>CodeAct</title>
</head>
<body>
  <div id="app" data-state="loading">
    <p class="loading">Loading CodeAct…</p>
    <p class="loading-slow">Taking long? CodeAct loads the view again by itself; if it stays, run "Developer: Reload Window".</p>
  </div>
  <script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
}
