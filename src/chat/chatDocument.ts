/**
 * The chat view's HTML document, without `vscode`: the extension fills it with webview URIs,
 * and the UI tests serve the same document from a local server (with their own theme sheet and
 * an `acquireVsCodeApi` stand-in), so what they test is the page the user gets.
 */
export interface ChatDocumentParts {
  /** The Content-Security-Policy (see chatContentSecurityPolicy). */
  readonly csp: string;
  /** Only scripts carrying this nonce run. */
  readonly nonce: string;
  readonly stylesheets: readonly string[];
  /** The webview bundle. */
  readonly script: string;
  /** Attributes for <body>, already escaped (the tests set a theme class). */
  readonly bodyAttributes?: string;
  /** Inline code run before the bundle (the tests' stand-in for VS Code's API). */
  readonly prelude?: string;
}

export function chatDocument(parts: ChatDocumentParts): string {
  const links = parts.stylesheets.map((href) => `  <link rel="stylesheet" href="${href}">`).join('\n');
  const prelude = parts.prelude ? `\n  <script nonce="${parts.nonce}">${parts.prelude}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${parts.csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
  <title>CodeAct</title>
</head>
<body${parts.bodyAttributes ? ` ${parts.bodyAttributes}` : ''}>
  <div id="app" data-state="loading">
    <p class="loading">Loading CodeAct…</p>
    <p class="loading-slow">Taking long? CodeAct loads the view again by itself; if it stays, run "Developer: Reload Window".</p>
  </div>${prelude}
  <script nonce="${parts.nonce}" src="${parts.script}"></script>
</body>
</html>`;
}
