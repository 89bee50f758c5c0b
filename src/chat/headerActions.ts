import * as vscode from 'vscode';
import { agentCellMarker } from '../kernel/notebook/notebookCellRunner';
import { HeaderTarget } from '../shared/protocol';
import { NotebookTarget } from './notebookTarget';

/** What clicking the chat header does, and "Reveal cell" on an action card. */
export class HeaderActions {
  constructor(private readonly target: NotebookTarget) {}

  async change(what: HeaderTarget): Promise<void> {
    switch (what) {
      case 'notebook':
        await this.pickNotebook();
        return;
      case 'kernel': {
        const notebook = await this.target.resolve();
        const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook);
        await vscode.commands.executeCommand('notebook.selectKernel', editor ? { notebookEditor: editor } : undefined);
        return;
      }
      case 'model':
        await vscode.commands.executeCommand('codeact.selectModel');
        return;
    }
  }

  /** Scrolls the notebook to an action's cell and selects it. */
  async revealCell(conversationId: string, actionId: string): Promise<void> {
    for (const notebook of vscode.workspace.notebookDocuments) {
      const cell = notebook.getCells().find((c) => {
        const marker = agentCellMarker(c);
        return marker?.actionId === actionId && marker.conversationId === conversationId;
      });
      if (!cell) continue;
      const range = new vscode.NotebookRange(cell.index, cell.index + 1);
      const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: false, selections: [range] });
      editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('That cell is no longer in an open notebook.'));
  }

  private async pickNotebook(): Promise<void> {
    type Pick = vscode.QuickPickItem & { uri?: vscode.Uri; create?: boolean };
    const open: Pick[] = vscode.workspace.notebookDocuments
      .filter((n) => n.notebookType === 'jupyter-notebook' && !n.isClosed)
      .map((n) => ({ label: n.uri.path.split('/').pop() ?? n.uri.path, description: n.uri.scheme === 'file' ? vscode.workspace.asRelativePath(n.uri) : n.uri.scheme, uri: n.uri }));
    const files = await vscode.workspace.findFiles('**/*.ipynb', '**/{node_modules,.git,.venv}/**', 50);
    const known = new Set(open.map((p) => p.uri?.toString()));
    const onDisk: Pick[] = files
      .filter((uri) => !known.has(uri.toString()))
      .map((uri) => ({ label: uri.path.split('/').pop() ?? uri.path, description: vscode.workspace.asRelativePath(uri), uri }));
    const choice = await vscode.window.showQuickPick<Pick>(
      [...open, ...onDisk, { label: vscode.l10n.t('$(new-file) New notebook'), create: true }],
      { title: vscode.l10n.t('CodeAct: notebook to work in') },
    );
    if (!choice) return;
    if (choice.create) {
      this.target.bind(undefined);
      const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData([]));
      await vscode.window.showNotebookDocument(notebook);
      this.target.bind(notebook.uri);
    } else if (choice.uri) {
      this.target.bind(choice.uri);
      await this.target.resolve();
    }
  }
}
