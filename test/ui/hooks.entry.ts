// Root hooks of the UI tier: one real VS Code and browser for every UI test file.
import { startSession, stopSession } from './session';

before(async function () {
  this.timeout(180_000);
  await startSession();
});

after(async function () {
  this.timeout(30_000);
  await stopSession();
});
