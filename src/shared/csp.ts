/**
 * The strict Content Security Policy of the chat webview: nothing loads unless listed, scripts
 * only by nonce, no eval, styles and fonts only from the extension, images only from the
 * extension or inline data (plot thumbnails). `source` is the webview's cspSource.
 */
export function chatContentSecurityPolicy(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source}`,
    `img-src ${source} data:`,
    `font-src ${source}`,
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}
