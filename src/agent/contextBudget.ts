/**
 * Keeps the conversation inside the model's context window. Pure.
 *
 * Tokens are estimated (about four characters per token, a fixed cost per image) because exact
 * tokenizers differ per model and the estimate only has to be close. When the estimate passes
 * the budget (the window minus room for the reply), observations are shortened, oldest first and
 * in stages: older outputs lose their images and middles, then shrink to a stub, and only then
 * the latest output is cut. The user's messages and the model's replies are never touched; what
 * was shortened is returned so the UI can say so. The full outputs stay in the notebook cells.
 */
import { requestText } from './environmentNote';
import type { ModelMessage } from '../llm/chatModel';
import { lookupByModelPrefix } from '../llm/modelNames';
import { type HistoryEntry, type ObservationEntry, observationMessageText } from './conversation';

export const DEFAULT_CONTEXT_WINDOW = 32_000;

/** Context windows of well-known models, in tokens (prefix-matched: "gpt-4o-2024-08-06" → gpt-4o). */
const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4.5': 128_000,
  'gpt-5': 400_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-4-32k': 32_768,
  'gpt-3.5-turbo': 16_385,
  o1: 200_000,
  'o1-mini': 128_000,
  'o1-preview': 128_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o4-mini': 200_000,
  claude: 200_000,
  gemini: 1_000_000,
  llama3: 8_192,
  'llama3.1': 128_000,
  'llama3.2': 128_000,
  'llama3.3': 128_000,
  'llama-3.1': 128_000,
  'llama-3.3': 128_000,
  'qwen2.5': 32_768,
  'qwen2.5-coder': 32_768,
  qwen3: 40_960,
  mistral: 32_768,
  'mistral-nemo': 128_000,
  mixtral: 32_768,
  'deepseek-coder-v2': 128_000,
  'deepseek-r1': 128_000,
  'deepseek-v3': 128_000,
  'deepseek-chat': 64_000,
  phi3: 4_096,
  phi4: 16_384,
  gemma2: 8_192,
  gemma3: 128_000,
  codellama: 16_384,
};

/** The window of a model by name; unknown models get a cautious 32k. */
export function defaultContextWindow(model: string): number {
  return lookupByModelPrefix(CONTEXT_WINDOWS, model) ?? DEFAULT_CONTEXT_WINDOW;
}

/** The `codeact.contextWindowTokens` setting wins when set (non-zero). */
export function resolveContextWindow(model: string, settingTokens: number): number {
  return settingTokens > 0 ? settingTokens : defaultContextWindow(model);
}

const CHARS_PER_TOKEN = 4;
/** Per-message framing (role markers) in chat formats. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** A typical image cost (OpenAI charges 85–1105 tokens per image by size). */
export const IMAGE_TOKENS = 800;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function estimateEntryTokens(entry: HistoryEntry, imageTokens = IMAGE_TOKENS): number {
  switch (entry.kind) {
    case 'request':
      return MESSAGE_OVERHEAD_TOKENS + estimateTokens(requestText(entry.text, entry.environment));
    case 'reply':
      return (
        MESSAGE_OVERHEAD_TOKENS +
        estimateTokens(entry.text) +
        entry.toolCalls.reduce((sum, call) => sum + estimateTokens(call.name + call.argumentsJson) + MESSAGE_OVERHEAD_TOKENS, 0)
      );
    case 'observation':
      return MESSAGE_OVERHEAD_TOKENS + estimateTokens(observationMessageText(entry)) + entry.images.length * imageTokens;
  }
}

/** The estimated tokens of one message as a request sends it (the usage estimate counts these). */
export function estimateMessageTokens(message: ModelMessage, imageTokens = IMAGE_TOKENS): number {
  const images = message.role === 'user' || message.role === 'tool' ? (message.images?.length ?? 0) : 0;
  const toolCalls = message.role === 'assistant' ? (message.toolCalls ?? []) : [];
  return (
    MESSAGE_OVERHEAD_TOKENS +
    estimateTokens(message.text) +
    images * imageTokens +
    toolCalls.reduce((sum, call) => sum + estimateTokens(call.name + call.argumentsJson) + MESSAGE_OVERHEAD_TOKENS, 0)
  );
}

export interface BudgetOptions {
  readonly windowTokens: number;
  /** Room kept for the reply; default a quarter of the window, between 1k and 16k tokens. */
  readonly reserveTokens?: number;
  /** Cost of one image; 0 when images are not sent to this model. */
  readonly imageTokens?: number;
  /**
   * Once over the budget, shorten until the conversation takes at most this share of it
   * (default 1: just enough). Below 1 leaves room, so the next requests add to an unchanged
   * history: each shortening rewrites the history from the shortened output on, which a
   * provider's prompt cache must then read again.
   */
  readonly shortenTo?: number;
}

/** One observation that was shortened, for the UI. */
export interface ShortenedObservation {
  readonly entryIndex: number;
  readonly actionId: string | undefined;
  readonly charsBefore: number;
  readonly charsAfter: number;
  readonly imagesDropped: number;
}

export interface BudgetResult {
  readonly entries: readonly HistoryEntry[];
  readonly shortened: readonly ShortenedObservation[];
  readonly estimatedTokens: number;
  readonly budgetTokens: number;
  /** False when even the fully shortened conversation is over budget. */
  readonly fits: boolean;
}

/** Characters an older observation keeps in the first stage (head and tail). */
export const OLDER_OBSERVATION_KEEP_CHARS = 1_200;
/** Characters the latest observation keeps when it alone is too big. */
export const LATEST_OBSERVATION_KEEP_CHARS = 2_000;

export function reserveFor(windowTokens: number): number {
  return Math.min(16_384, Math.max(1_024, Math.floor(windowTokens / 4)));
}

/** Shortens observations until the conversation fits, or reports that it cannot. */
export function fitToContextWindow(systemPrompt: string, entries: readonly HistoryEntry[], options: BudgetOptions): BudgetResult {
  const imageTokens = options.imageTokens ?? IMAGE_TOKENS;
  const budgetTokens = Math.max(0, options.windowTokens - (options.reserveTokens ?? reserveFor(options.windowTokens)));
  const working: HistoryEntry[] = [...entries];
  const costs = working.map((entry) => estimateEntryTokens(entry, imageTokens));
  let total = MESSAGE_OVERHEAD_TOKENS + estimateTokens(systemPrompt) + costs.reduce((a, b) => a + b, 0);
  const originals = new Map<number, ObservationEntry>();

  const observationIndexes = working.flatMap((entry, index) => (entry.kind === 'observation' ? [index] : []));
  const latest = observationIndexes[observationIndexes.length - 1];
  const older = observationIndexes.filter((index) => index !== latest);

  const shorten = (index: number, keepChars: number): void => {
    const entry = working[index];
    if (!entry || entry.kind !== 'observation') return;
    const text = keepChars <= 0 ? REMOVED_STUB : headAndTail(entry.text, keepChars);
    if (text.length >= entry.text.length && entry.images.length === 0) return;
    if (!originals.has(index)) originals.set(index, entry);
    const next: ObservationEntry = { ...entry, text: text.length < entry.text.length ? text : entry.text, images: [], shortened: true };
    working[index] = next;
    const cost = estimateEntryTokens(next, imageTokens);
    total += cost - (costs[index] ?? 0);
    costs[index] = cost;
  };

  // Room is made in advance only from older outputs: the newest is cut only when it must be.
  const lowWater = total > budgetTokens ? budgetTokens * Math.min(1, Math.max(0, options.shortenTo ?? 1)) : budgetTokens;
  const stages: readonly { readonly indexes: readonly number[]; readonly keep: number; readonly target: number }[] = [
    { indexes: older, keep: OLDER_OBSERVATION_KEEP_CHARS, target: lowWater },
    { indexes: older, keep: 0, target: lowWater },
    { indexes: latest === undefined ? [] : [latest], keep: LATEST_OBSERVATION_KEEP_CHARS, target: budgetTokens },
    { indexes: latest === undefined ? [] : [latest], keep: 0, target: budgetTokens },
  ];
  for (const stage of stages) {
    for (const index of stage.indexes) {
      if (total <= stage.target) break;
      shorten(index, stage.keep);
    }
  }

  const shortened = [...originals.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, original]) => {
      const now = working[index] as ObservationEntry;
      return { entryIndex: index, actionId: original.actionId, charsBefore: original.text.length, charsAfter: now.text.length, imagesDropped: original.images.length };
    });
  return { entries: working, shortened, estimatedTokens: total, budgetTokens, fits: total <= budgetTokens };
}

const REMOVED_STUB = "[This output was removed to fit the model's context window; it is still in the notebook.]";

/** Keeps about `keepChars` characters: the head and the tail, with a note of what was cut. */
export function headAndTail(text: string, keepChars: number): string {
  if (text.length <= keepChars) return text;
  const half = Math.floor(keepChars / 2);
  const cut = text.length - 2 * half;
  return `${text.slice(0, half)}\n[… ${cut.toLocaleString('en-US')} characters cut to fit the model's context window …]\n${text.slice(text.length - half)}`;
}

/** The sentence the user reads about a shortening. */
export function describeShortening(shortened: readonly ShortenedObservation[], windowTokens: number): string {
  const count = shortened.length;
  const images = shortened.reduce((sum, s) => sum + s.imagesDropped, 0);
  const what = `${count} ${count === 1 ? 'output' : 'outputs'}${images > 0 ? ` (and ${images} ${images === 1 ? 'image' : 'images'})` : ''}`;
  return `Shortened ${what} so the conversation fits the model's context window (${windowTokens.toLocaleString('en-US')} tokens). The full outputs are still in the notebook.`;
}
