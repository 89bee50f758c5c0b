import * as vscode from 'vscode';

/**
 * Base class for objects that own other disposables. Everything registered with `_register`
 * is disposed, in reverse order, when this object is; nothing outlives its owner.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected _register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) {
      disposable.dispose();
    } else {
      this.disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.disposables.length > 0) {
      try {
        this.disposables.pop()?.dispose();
      } catch {
        // One failing disposal must not keep the rest alive.
      }
    }
  }
}
