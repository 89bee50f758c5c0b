import * as assert from 'node:assert/strict';
import { modelAcceptsImages, shouldSendImages } from '../../../src/llm/modelCapabilities';
import { canonicalModelName, lookupByModelPrefix } from '../../../src/llm/modelNames';
import { costUsd, priceOf } from '../../../src/llm/pricing';

describe('model name tables', () => {
  it('canonical names drop a router prefix and case', () => {
    assert.equal(canonicalModelName(' OpenAI/GPT-4o '), 'gpt-4o');
    assert.equal(canonicalModelName('llama3.1:8b'), 'llama3.1:8b');
  });

  it('matches the longest prefix at a name boundary', () => {
    const table = { 'gpt-4': 1, 'gpt-4o': 2, 'gpt-4o-mini': 3 };
    assert.equal(lookupByModelPrefix(table, 'gpt-4o-mini-2024-07-18'), 3);
    assert.equal(lookupByModelPrefix(table, 'gpt-4o-2024-08-06'), 2);
    assert.equal(lookupByModelPrefix(table, 'gpt-4-0613'), 1);
    assert.equal(lookupByModelPrefix(table, 'gpt-40'), undefined);
    assert.equal(lookupByModelPrefix(table, 'gpt-4.5-preview'), undefined);
    assert.equal(lookupByModelPrefix(table, 'gpt-4o:latest'), 2);
  });

  describe('pricing', () => {
    it('knows list prices of OpenAI models, dated snapshots included', () => {
      assert.deepEqual(priceOf('gpt-4o-mini-2024-07-18'), { inputPerMillion: 0.15, outputPerMillion: 0.6 });
      assert.deepEqual(priceOf('gpt-4o'), { inputPerMillion: 2.5, outputPerMillion: 10 });
      assert.equal(priceOf('llama3.1:8b'), undefined);
    });

    it('computes the cost of a reply', () => {
      assert.equal(costUsd('gpt-4o', 1_000_000, 100_000), 2.5 + 1);
      assert.ok(Math.abs((costUsd('gpt-4o-mini', 1000, 500) ?? 0) - (1000 * 0.15 + 500 * 0.6) / 1e6) < 1e-12);
      assert.equal(costUsd('my-local-model', 1000, 500), undefined);
    });
  });

  describe('image capability', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-nano', 'gpt-5', 'o3', 'claude-3-5-sonnet', 'llava:13b', 'qwen2.5vl:7b', 'llama3.2-vision', 'gemma3:4b']) {
      it(`${model} accepts images`, () => assert.equal(modelAcceptsImages(model), true));
    }
    for (const model of ['gpt-3.5-turbo', 'o3-mini', 'o1-mini', 'llama3.1:8b', 'qwen2.5-coder', 'mistral']) {
      it(`${model} is text-only`, () => assert.equal(modelAcceptsImages(model), false));
    }

    it('follows the sendImages setting', () => {
      assert.equal(shouldSendImages('always', 'llama3.1'), true);
      assert.equal(shouldSendImages('never', 'gpt-4o'), false);
      assert.equal(shouldSendImages('auto', 'gpt-4o'), true);
      assert.equal(shouldSendImages('auto', 'llama3.1'), false);
    });
  });
});
