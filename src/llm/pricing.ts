/**
 * List prices of well-known hosted models, to show what a conversation cost. Prices drift: these
 * are OpenAI's published per-million-token prices (standard tier, no caching discount) as of
 * 2025; unknown models get no cost rather than a guess.
 */
import { lookupByModelPrefix } from './modelNames';

export interface ModelPrice {
  /** US dollars per million input tokens. */
  readonly inputPerMillion: number;
  /** US dollars per million output tokens. */
  readonly outputPerMillion: number;
}

const PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  'gpt-4-turbo': { inputPerMillion: 10, outputPerMillion: 30 },
  'gpt-4': { inputPerMillion: 30, outputPerMillion: 60 },
  'gpt-3.5-turbo': { inputPerMillion: 0.5, outputPerMillion: 1.5 },
  o1: { inputPerMillion: 15, outputPerMillion: 60 },
  'o1-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  o3: { inputPerMillion: 2, outputPerMillion: 8 },
  'o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
};

/** The known price of a model, by name (dated snapshots and "openai/" prefixes included). */
export function priceOf(model: string): ModelPrice | undefined {
  return lookupByModelPrefix(PRICES, model);
}

/** The cost in US dollars of one reply, or undefined when the model's price is unknown. */
export function costUsd(model: string, inputTokens: number, outputTokens: number): number | undefined {
  const price = priceOf(model);
  if (!price) return undefined;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}
