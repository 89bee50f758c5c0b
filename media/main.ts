// Entry point of the chat webview. The host owns the state: this script renders what the host
// sends and posts the user's actions back. It never runs code and never trusts message text.
import '@vscode/codicons/dist/codicon.css';
import './main.css';
import type { HostToWebviewMessage } from '../src/shared/protocol';
import { assertNever } from '../src/shared/protocol';
import { ChatView } from './chatView';
import { onHostMessage, postToHost } from './vscodeApi';

// Report Content-Security-Policy violations and script errors to the host's log, so a
// regression shows up in the log and fails the tests instead of silently breaking the view.
document.addEventListener('securitypolicyviolation', (event) => {
  postToHost({ type: 'webviewProblem', kind: 'csp', detail: `${event.violatedDirective} blocked ${event.blockedURI || 'inline'}` });
});
window.addEventListener('error', (event) => {
  postToHost({ type: 'webviewProblem', kind: 'error', detail: String(event.message) });
});

const root = document.getElementById('app');
if (!root) throw new Error('CodeAct webview: #app is missing');
const view = new ChatView(root);

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'snapshot':
      view.renderSnapshot(message.snapshot);
      return;
    case 'entryAdded':
      view.addEntry(message.entry);
      return;
    case 'entryUpdated':
      view.updateEntry(message.entry);
      return;
    case 'assistantDelta':
      view.appendAssistantDelta(message.entryId, message.delta);
      return;
    case 'status':
      view.renderStatus(message.busy, message.header, message.usage, message.allowAllInChat);
      return;
    case 'focusInput':
      view.focusInput(message.text);
      return;
    default:
      assertNever(message);
  }
}

onHostMessage(handle);
postToHost({ type: 'ready' });
