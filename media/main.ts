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

let gotSnapshot = false;

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'snapshot':
      gotSnapshot = true;
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

// The handshake is repeated until the host answers: while the extension host (re)starts,
// after a window reload say, a first `ready` can be lost, which would leave the view empty.
const READY_RETRY_MS = 1_000;
const READY_RETRIES = 30;
let retries = 0;
const readyRetry = setInterval(() => {
  if (gotSnapshot || ++retries > READY_RETRIES) {
    clearInterval(readyRetry);
    return;
  }
  postToHost({ type: 'ready' });
}, READY_RETRY_MS);
