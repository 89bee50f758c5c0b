/**
 * A ChatModel over a model VS Code already offers (`vscode.lm`), e.g. Copilot's. No key needed.
 *
 * The Language Model API (1.95) has no system role, no stop sequences, no usage numbers and no
 * image input: the system prompt goes first as a user message, the agent's own detector stops
 * the stream after an action, and images travel as their text descriptions.
 */
import { toolArgumentsObject } from './toolCallArguments';
import * as vscode from 'vscode';
import { type ChatDelta, type ChatModel, type ChatRequest, type ModelImage, type ModelMessage, ModelError } from './chatModel';
import type { ModelFailure } from './modelFailure';
import { imagePlaceholder } from './openaiMessages';
import { AbortedError, raceAbort } from '../shared/abort';

/** Picks the first model VS Code offers for `selector` (e.g. `{ vendor: 'copilot', family: 'gpt-4o' }`). */
export async function selectVscodeLmChatModel(selector: vscode.LanguageModelChatSelector): Promise<VscodeLmChatModel | undefined> {
  const [chat] = await vscode.lm.selectChatModels(selector);
  return chat ? new VscodeLmChatModel(chat) : undefined;
}

export class VscodeLmChatModel implements ChatModel {
  readonly modelId: string;
  readonly supportsStopSequences = false;
  readonly supportsTools = true;

  constructor(
    private readonly chat: vscode.LanguageModelChat,
    private readonly justification = 'CodeAct writes and runs Python code to answer your request.',
  ) {
    this.modelId = chat.family || chat.id;
  }

  /** The model's input limit as VS Code reports it. */
  get maxInputTokens(): number {
    return this.chat.maxInputTokens;
  }

  /** VS Code does not say what a model costs (Copilot's models come with the subscription). */
  costUsd(): number | undefined {
    return undefined;
  }

  async *stream(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatDelta> {
    if (signal.aborted) throw aborted();
    const source = new vscode.CancellationTokenSource();
    const onAbort = (): void => source.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const options: vscode.LanguageModelChatRequestOptions = {
        justification: this.justification,
        ...(request.tools && request.tools.length > 0
          ? {
              tools: request.tools.map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.parameters })),
              toolMode: vscode.LanguageModelChatToolMode.Auto,
            }
          : {}),
      };
      // VS Code (1.100) does not pass a cancel on to the model once its reply streams, and a
      // stalled model sends no part that would let the loop notice: race each step with Stop.
      const response = await raceAbort(Promise.resolve(this.chat.sendRequest(toVscodeMessages(request.messages), options, source.token)), signal);
      const parts = response.stream[Symbol.asyncIterator]();
      let toolCalls = 0;
      try {
        for (;;) {
          const next = await raceAbort(parts.next(), signal);
          if (next.done) break;
          const part: unknown = next.value;
          if (part instanceof vscode.LanguageModelTextPart) {
            if (part.value) yield { type: 'text', text: part.value };
          } else if (part instanceof vscode.LanguageModelToolCallPart) {
            yield { type: 'toolCall', index: toolCalls, id: part.callId, name: part.name, argumentsDelta: JSON.stringify(part.input) };
            toolCalls += 1;
          }
        }
      } finally {
        // Lets go of the stream; whatever it would still say is not wanted.
        Promise.resolve(parts.return?.()).catch(() => undefined);
      }
      if (signal.aborted) throw aborted();
      yield { type: 'finish', reason: toolCalls > 0 ? 'toolCalls' : 'stop' };
    } catch (error) {
      if (signal.aborted || error instanceof AbortedError || error instanceof vscode.CancellationError) throw aborted();
      if (error instanceof ModelError) throw error;
      throw toModelError(error, this.chat.name);
    } finally {
      signal.removeEventListener('abort', onAbort);
      source.cancel();
      source.dispose();
    }
  }
}

function aborted(): ModelError {
  return new ModelError({ kind: 'aborted' }, 'Stopped.');
}

function toModelError(error: unknown, modelName: string): ModelError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof vscode.LanguageModelError) {
    const failure = (kind: ModelFailure['kind']): ModelFailure => ({ kind, serverMessage: message });
    switch (error.code) {
      case vscode.LanguageModelError.NoPermissions.name:
        return new ModelError(failure('forbidden'), `CodeAct may not use "${modelName}" yet: allow it when VS Code asks, then try again.`);
      case vscode.LanguageModelError.Blocked.name:
        return new ModelError(failure('quotaExceeded'), `"${modelName}" is not available right now (blocked or over its quota): ${message}`);
      case vscode.LanguageModelError.NotFound.name:
        return new ModelError(failure('modelNotFound'), `The model "${modelName}" is no longer available. Choose another with "CodeAct: Select Model".`);
    }
  }
  return new ModelError({ kind: 'unknown', serverMessage: message }, `The model "${modelName}" failed: ${message}`);
}

/** Maps provider-neutral messages to VS Code's two-role messages. */
function toVscodeMessages(messages: readonly ModelMessage[]): vscode.LanguageModelChatMessage[] {
  const result: vscode.LanguageModelChatMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        result.push(vscode.LanguageModelChatMessage.User(message.text));
        break;
      case 'user':
        result.push(vscode.LanguageModelChatMessage.User(withImageText(message.text, message.images)));
        break;
      case 'assistant': {
        const parts: (vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart)[] = [];
        if (message.text) parts.push(new vscode.LanguageModelTextPart(message.text));
        for (const call of message.toolCalls ?? []) {
          parts.push(new vscode.LanguageModelToolCallPart(call.id, call.name, toolArgumentsObject(call.argumentsJson)));
        }
        result.push(vscode.LanguageModelChatMessage.Assistant(parts.length > 0 ? parts : ''));
        break;
      }
      case 'tool':
        result.push(
          vscode.LanguageModelChatMessage.User([
            new vscode.LanguageModelToolResultPart(message.toolCallId, [
              new vscode.LanguageModelTextPart(withImageText(message.text, message.images)),
            ]),
          ]),
        );
        break;
    }
  }
  return result;
}

function withImageText(text: string, images: readonly ModelImage[] | undefined): string {
  if (!images || images.length === 0) return text;
  return [text, ...images.map(imagePlaceholder)].join('\n');
}


