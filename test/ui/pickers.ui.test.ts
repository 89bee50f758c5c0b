import * as assert from 'node:assert/strict';
import { startScriptedModelServer } from '../model/scriptedModelServer';
import { openChatView, replaceInUserSettings, session } from './session';

describe('Choosing a model, clicked like a person', () => {
  it("lists the models the server offers (GET /v1/models), and the one clicked is used", async () => {
    const { page, model } = session();
    const offered = await startScriptedModelServer([], { models: ['qwen2.5-coder:7b', 'llama3.1:8b'] });
    try {
      await replaceInUserSettings(model.baseUrl, offered.baseUrl);
      const chat = await openChatView(page);
      await chat.getByRole('button', { name: /^model: / }).click();
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'llama3.1:8b' }).first().waitFor({ timeout: 15_000 });
      assert.deepEqual((await rows.allTextContents()).slice(0, 2), ['llama3.1:8b', 'qwen2.5-coder:7b'], 'the server\'s models, sorted');
      await rows.filter({ hasText: 'llama3.1:8b' }).first().click();
      await chat.getByRole('button', { name: /^model: llama3\.1:8b/ }).waitFor({ timeout: 15_000 });
      assert.ok(offered.requests.some((request) => request.method === 'GET' && request.path.endsWith('/models')), 'the list came from the server');
    } finally {
      await replaceInUserSettings(offered.baseUrl, model.baseUrl);
      await offered.close();
      // Back to the model the other tests use, typed by name as a person may.
      const chat = await openChatView(page);
      const button = chat.getByRole('button', { name: /^model: / });
      if (!/^model: scripted-model/.test((await button.getAttribute('aria-label')) ?? '')) {
        await button.click();
        const input = page.locator('.quick-input-widget input');
        await input.fill('scripted-model');
        await page.keyboard.press('Enter');
        await chat.getByRole('button', { name: /^model: scripted-model/ }).waitFor({ timeout: 15_000 });
      }
    }
  });
});
