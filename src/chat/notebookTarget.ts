import * as vscode from 'vscode';

/**
 * The notebook a chat works in. It is bound to the active notebook when the first action runs
 * (or when the user picks one in the header) and stays bound: switching editors does not move
 * a running conversation. With no notebook open, a new one is created for the chat.
 */
export class NotebookTarget {
  private uri: vscode.Uri | undefined;

  /** The bound notebook if it is open, else the notebook the next action would use. */
  current(): vscode.NotebookDocument | undefined {
    return this.boundDocument() ?? (this.uri ? undefined : vscode.window.activeNotebookEditor?.notebook);
  }

  /**
   * The notebook {@link resolve} would run the next action in, without opening or creating
   * anything: an open document, or the URI of one it would reopen; neither for a new one.
   */
  next(): { readonly document?: vscode.NotebookDocument; readonly uri?: vscode.Uri } {
    const bound = this.boundDocument();
    if (bound) return { document: bound, uri: bound.uri };
    // A closed untitled notebook is gone: resolve creates a new one.
    if (this.uri) return this.uri.scheme === 'untitled' ? {} : { uri: this.uri };
    const open = vscode.window.activeNotebookEditor?.notebook ?? vscode.window.visibleNotebookEditors.find((editor) => editor.notebook.notebookType === 'jupyter-notebook')?.notebook;
    if (open) return { document: open, uri: open.uri };
    const tab = notebookInActiveTab();
    return tab ? { uri: tab } : {};
  }

  /** The name shown in the chat header. */
  label(): string | undefined {
    const uri = this.uri ?? vscode.window.activeNotebookEditor?.notebook.uri ?? notebookInActiveTab();
    return uri ? decodeURIComponent(uri.path.split('/').pop() ?? uri.path) : undefined;
  }

  get boundUri(): vscode.Uri | undefined {
    return this.uri;
  }

  bind(uri: vscode.Uri | undefined): void {
    this.uri = uri;
  }

  /** The notebook to run the next action in, opened and shown (without stealing focus). */
  async resolve(): Promise<vscode.NotebookDocument> {
    let notebook = this.boundDocument();
    if (!notebook && this.uri) {
      // A bound notebook stays the chat's notebook: reopen it; an untitled one that was closed
      // is gone, so the chat gets a new one rather than someone else's notebook.
      notebook = this.uri.scheme === 'untitled' ? await this.createNotebook() : await vscode.workspace.openNotebookDocument(this.uri);
    }
    // Kept in step with next(), which the risky-code check reads before this runs.
    notebook ??= vscode.window.activeNotebookEditor?.notebook;
    notebook ??= vscode.window.visibleNotebookEditors.find((editor) => editor.notebook.notebookType === 'jupyter-notebook')?.notebook;
    const tab = notebook ? undefined : notebookInActiveTab();
    if (tab) notebook = await vscode.workspace.openNotebookDocument(tab);
    notebook ??= await this.createNotebook();
    this.uri = notebook.uri;
    if (!vscode.window.visibleNotebookEditors.some((editor) => editor.notebook === notebook)) {
      await vscode.window.showNotebookDocument(notebook, { preserveFocus: true, preview: false, viewColumn: vscode.ViewColumn.Active });
    }
    return notebook;
  }

  private boundDocument(): vscode.NotebookDocument | undefined {
    const uri = this.uri?.toString();
    return uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri && !n.isClosed) : undefined;
  }

  private async createNotebook(): Promise<vscode.NotebookDocument> {
    const data = new vscode.NotebookData([]);
    data.metadata = { metadata: { language_info: { name: 'python' } } };
    return vscode.workspace.openNotebookDocument('jupyter-notebook', data);
  }
}

/**
 * The notebook of the editor area's active tab. Right after a window reload the tabs are back
 * before their editors are: the chat names the notebook the user sees, not "No notebook".
 */
function notebookInActiveTab(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputNotebook && input.notebookType === 'jupyter-notebook' ? input.uri : undefined;
}
