import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { JUPYTER_EXTENSION_ID } from '../../src/kernel/notebook/kernelSelector';
import { activateCodeAct, createNotebook } from './helpers';

describe('The chat header tells the truth', function () {
  this.timeout(60_000);
  let api: CodeActApi;

  before(async () => {
    api = await activateCodeAct();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('names the kernel the next action runs in before anything ran (as the notebook toolbar does)', async () => {
    await api.chat.newChat();
    const notebook = await createNotebook('header-fresh.ipynb', [], { kernel: 'default' });
    const header = api.chat.headerState();
    assert.equal(header.notebook, 'header-fresh.ipynb');
    // Without the Jupyter extension CodeAct Python is selected when the first action runs.
    const jupyter = vscode.extensions.getExtension(JUPYTER_EXTENSION_ID) !== undefined;
    assert.equal(header.kernel, jupyter && !api.kernels.controller.isSelectedFor(notebook) ? 'Jupyter kernel' : 'CodeAct Python');
  });
});
