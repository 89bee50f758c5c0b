// Representative VS Code theme variables (Light Modern, Dark Modern, Dark High Contrast) and the
// default stylesheet VS Code injects into every webview, so the chat webview can be rendered in
// a plain browser page the way it looks inside VS Code.

export type ThemeKind = 'light' | 'dark' | 'high-contrast';

const common: Record<string, string> = {
  'font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "DejaVu Sans Mono", "Liberation Mono", monospace',
  'editor-font-size': '12px',
};

const light: Record<string, string> = {
  foreground: '#3b3b3b',
  descriptionForeground: '#717171',
  errorForeground: '#c72e0f',
  focusBorder: '#005fb8',
  'icon-foreground': '#3b3b3b',
  'sideBar-background': '#f8f8f8',
  'sideBarSectionHeader-border': '#e5e5e5',
  'editor-background': '#ffffff',
  'editor-foreground': '#3b3b3b',
  'editorWidget-background': '#f8f8f8',
  'editor-selectionBackground': '#add6ff',
  'editorCursor-foreground': '#000000',
  'widget-border': '#e5e5e5',
  'widget-shadow': '#00000029',
  'panel-border': '#e5e5e5',
  'button-background': '#005fb8',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#0258a8',
  'button-border': '#0000001a',
  'button-secondaryBackground': '#e5e5e5',
  'button-secondaryForeground': '#3b3b3b',
  'button-secondaryHoverBackground': '#cccccc',
  'input-background': '#ffffff',
  'input-border': '#cecece',
  'input-foreground': '#3b3b3b',
  'input-placeholderForeground': '#767676',
  'inputValidation-infoBackground': '#d6ecf2',
  'inputValidation-infoBorder': '#007acc',
  'inputValidation-warningBackground': '#f6f5d2',
  'inputValidation-warningBorder': '#b89500',
  'inputValidation-errorBackground': '#f2dede',
  'inputValidation-errorBorder': '#be1100',
  'editorInfo-foreground': '#1a85ff',
  'editorWarning-foreground': '#bf8803',
  'editorError-foreground': '#e51400',
  'textLink-foreground': '#005fb8',
  'textLink-activeForeground': '#005fb8',
  'textPreformat-foreground': '#3b3b3b',
  'textPreformat-background': '#0000001f',
  'textCodeBlock-background': '#f5f5f5',
  'textBlockQuote-background': '#f8f8f8',
  'textBlockQuote-border': '#e5e5e5',
  'toolbar-hoverBackground': '#b8b8b850',
  'list-hoverBackground': '#f2f2f2',
  'list-activeSelectionBackground': '#e8e8e8',
  'list-activeSelectionForeground': '#000000',
  'quickInput-background': '#f8f8f8',
  'quickInput-foreground': '#3b3b3b',
  'badge-background': '#cccccc',
  'badge-foreground': '#3b3b3b',
  'scrollbarSlider-background': '#64646466',
  'scrollbarSlider-hoverBackground': '#646464b3',
  'keybindingLabel-background': '#dddddd66',
  'keybindingLabel-foreground': '#555555',
  'keybindingLabel-border': '#cccccc66',
  'keybindingLabel-bottomBorder': '#bbbbbb66',
  'testing-iconPassed': '#388a34',
  'charts-green': '#388a34',
  'debugTokenExpression-name': '#9b46b0',
  'debugTokenExpression-string': '#a31515',
  'debugTokenExpression-number': '#098658',
  'debugTokenExpression-boolean': '#0000ff',
  'symbolIcon-functionForeground': '#652d90',
  'symbolIcon-classForeground': '#d67e00',
  'chat-requestBackground': '#ffffff',
  'chat-requestBorder': '#0000001a',
};

const dark: Record<string, string> = {
  foreground: '#cccccc',
  descriptionForeground: '#9d9d9d',
  errorForeground: '#f85149',
  focusBorder: '#0078d4',
  'icon-foreground': '#cccccc',
  'sideBar-background': '#181818',
  'sideBarSectionHeader-border': '#2b2b2b',
  'editor-background': '#1f1f1f',
  'editor-foreground': '#cccccc',
  'editorWidget-background': '#202020',
  'editor-selectionBackground': '#264f78',
  'editorCursor-foreground': '#aeafad',
  'widget-border': '#313131',
  'widget-shadow': '#0000005c',
  'panel-border': '#2b2b2b',
  'button-background': '#0078d4',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#026ec1',
  'button-border': '#ffffff12',
  'button-secondaryBackground': '#313131',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryHoverBackground': '#3c3c3c',
  'input-background': '#313131',
  'input-border': '#3c3c3c',
  'input-foreground': '#cccccc',
  'input-placeholderForeground': '#989898',
  'inputValidation-infoBackground': '#063b49',
  'inputValidation-infoBorder': '#007acc',
  'inputValidation-warningBackground': '#352a05',
  'inputValidation-warningBorder': '#b89500',
  'inputValidation-errorBackground': '#5a1d1d',
  'inputValidation-errorBorder': '#be1100',
  'editorInfo-foreground': '#3794ff',
  'editorWarning-foreground': '#cca700',
  'editorError-foreground': '#f14c4c',
  'textLink-foreground': '#4daafc',
  'textLink-activeForeground': '#4daafc',
  'textPreformat-foreground': '#d0d0d0',
  'textPreformat-background': '#3c3c3c',
  'textCodeBlock-background': '#0a0a0a66',
  'textBlockQuote-background': '#2b2b2b',
  'textBlockQuote-border': '#616161b3',
  'toolbar-hoverBackground': '#5a5d5e50',
  'list-hoverBackground': '#2a2d2e',
  'list-activeSelectionBackground': '#04395e',
  'list-activeSelectionForeground': '#ffffff',
  'quickInput-background': '#222222',
  'quickInput-foreground': '#cccccc',
  'badge-background': '#616161',
  'badge-foreground': '#f8f8f8',
  'scrollbarSlider-background': '#79797966',
  'scrollbarSlider-hoverBackground': '#646464b3',
  'keybindingLabel-background': '#8080802b',
  'keybindingLabel-foreground': '#cccccc',
  'keybindingLabel-border': '#33333399',
  'keybindingLabel-bottomBorder': '#44444499',
  'testing-iconPassed': '#73c991',
  'charts-green': '#89d185',
  'debugTokenExpression-name': '#c586c0',
  'debugTokenExpression-string': '#ce9178',
  'debugTokenExpression-number': '#b5cea8',
  'debugTokenExpression-boolean': '#4e94ce',
  'symbolIcon-functionForeground': '#b180d7',
  'symbolIcon-classForeground': '#ee9d28',
  'chat-requestBackground': '#1f1f1f',
  'chat-requestBorder': '#ffffff1a',
};

const highContrast: Record<string, string> = {
  foreground: '#ffffff',
  descriptionForeground: '#ffffffb3',
  errorForeground: '#f48771',
  focusBorder: '#f38518',
  contrastBorder: '#6fc3df',
  contrastActiveBorder: '#f38518',
  'icon-foreground': '#ffffff',
  'sideBar-background': '#000000',
  'sideBarSectionHeader-border': '#6fc3df',
  'editor-background': '#000000',
  'editor-foreground': '#ffffff',
  'editorWidget-background': '#0c141f',
  'editor-selectionBackground': '#ffffff',
  'editorCursor-foreground': '#ffffff',
  'widget-border': '#6fc3df',
  'panel-border': '#6fc3df',
  'button-background': '#000000',
  'button-foreground': '#ffffff',
  'button-border': '#6fc3df',
  'button-secondaryBackground': '#000000',
  'button-secondaryForeground': '#ffffff',
  'input-background': '#000000',
  'input-border': '#6fc3df',
  'input-foreground': '#ffffff',
  'input-placeholderForeground': '#ffffffb3',
  'inputValidation-infoBackground': '#000000',
  'inputValidation-infoBorder': '#6fc3df',
  'inputValidation-warningBackground': '#000000',
  'inputValidation-warningBorder': '#6fc3df',
  'inputValidation-errorBackground': '#000000',
  'inputValidation-errorBorder': '#6fc3df',
  'editorInfo-foreground': '#3794ff',
  'editorWarning-foreground': '#ffd370',
  'textLink-foreground': '#21a6ff',
  'textLink-activeForeground': '#21a6ff',
  'textPreformat-foreground': '#ffffff',
  'textCodeBlock-background': '#000000',
  'textBlockQuote-border': '#ffffff',
  'list-activeSelectionBackground': '#000000',
  'quickInput-background': '#000000',
  'badge-background': '#000000',
  'badge-foreground': '#ffffff',
  'testing-iconPassed': '#73c991',
  'debugTokenExpression-name': '#ffffff',
  'debugTokenExpression-string': '#f48771',
  'debugTokenExpression-number': '#89d185',
  'debugTokenExpression-boolean': '#75bdfe',
  'symbolIcon-functionForeground': '#b180d7',
  'symbolIcon-classForeground': '#ee9d28',
};

const THEMES: Record<ThemeKind, Record<string, string>> = { light, dark, 'high-contrast': highContrast };

/** The `vscode-*` class VS Code puts on <body> for a theme kind. */
export function themeBodyClass(theme: ThemeKind): string {
  return theme === 'high-contrast' ? 'vscode-high-contrast' : `vscode-${theme}`;
}

/** The default styles VS Code injects into webviews (abridged from its webview index.html). */
const VSCODE_DEFAULT_STYLES = `
html { scrollbar-color: var(--vscode-scrollbarSlider-background) var(--vscode-editor-background); }
body { background-color: transparent; color: var(--vscode-editor-foreground); font-family: var(--vscode-font-family);
  font-weight: var(--vscode-font-weight); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }
img, video { max-width: 100%; max-height: 100%; }
a, a code { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
a:focus, input:focus, select:focus, textarea:focus { outline: 1px solid -webkit-focus-ring-color; outline-offset: -1px; }
code { font-family: var(--monaco-monospace-font); color: var(--vscode-textPreformat-foreground);
  background-color: var(--vscode-textPreformat-background); padding: 1px 3px; border-radius: 4px; }
pre code { padding: 0; }
blockquote { background: var(--vscode-textBlockQuote-background); border-color: var(--vscode-textBlockQuote-border); }
`;

/** A stylesheet defining the theme's variables on <html>, then VS Code's default webview styles. */
export function themeStylesheet(theme: ThemeKind): string {
  const variables = { ...common, ...THEMES[theme] };
  const declarations = Object.entries(variables)
    .map(([name, value]) => `  --vscode-${name}: ${value};`)
    .join('\n');
  return `html {\n${declarations}\n}\n${VSCODE_DEFAULT_STYLES}`;
}
