/**
 * Maps the provider-neutral messages to OpenAI chat-completions parameters. Pure.
 *
 * Images go as `image_url` data-URL parts to models that accept them; otherwise each image is
 * replaced by its text description. Tool messages can only hold text in the OpenAI API, so
 * images of tool results follow in one user message after the run of tool messages (tool
 * messages must directly follow the assistant message that made the calls).
 */
import { toolArgumentsJson } from './toolCallArguments';
import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ModelImage, ModelMessage, ToolDefinition } from './chatModel';

/** The text that stands in for an image a model will not see. */
export function imagePlaceholder(image: ModelImage): string {
  return `[image (${image.mimeType}): ${image.description || 'no description'}]`;
}

function withPlaceholders(text: string, images: readonly ModelImage[] | undefined): string {
  if (!images || images.length === 0) return text;
  return [text, ...images.map(imagePlaceholder)].filter((part) => part.length > 0).join('\n');
}

function imagePart(image: ModelImage): ChatCompletionContentPart {
  return { type: 'image_url', image_url: { url: `data:${image.mimeType};base64,${image.dataBase64}` } };
}

export function toOpenAIMessages(messages: readonly ModelMessage[], sendImages: boolean): ChatCompletionMessageParam[] {
  const result: ChatCompletionMessageParam[] = [];
  let pendingToolImages: ModelImage[] = [];
  const flushToolImages = (): void => {
    if (pendingToolImages.length === 0) return;
    result.push({
      role: 'user',
      content: [{ type: 'text', text: 'Images from the tool output above:' }, ...pendingToolImages.map(imagePart)],
    });
    pendingToolImages = [];
  };

  for (const message of messages) {
    if (message.role !== 'tool') flushToolImages();
    switch (message.role) {
      case 'system':
        result.push({ role: 'system', content: message.text });
        break;
      case 'user': {
        const images = message.images ?? [];
        if (sendImages && images.length > 0) {
          const parts: ChatCompletionContentPart[] = [];
          if (message.text) parts.push({ type: 'text', text: message.text });
          parts.push(...images.map(imagePart));
          result.push({ role: 'user', content: parts });
        } else {
          result.push({ role: 'user', content: withPlaceholders(message.text, images) });
        }
        break;
      }
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        result.push({
          role: 'assistant',
          content: message.text.length > 0 || toolCalls.length === 0 ? message.text : null,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: toolArgumentsJson(call.argumentsJson) },
                })),
              }
            : {}),
        });
        break;
      }
      case 'tool': {
        const images = message.images ?? [];
        if (sendImages && images.length > 0) {
          result.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.text });
          pendingToolImages.push(...images);
        } else {
          result.push({ role: 'tool', tool_call_id: message.toolCallId, content: withPlaceholders(message.text, images) });
        }
        break;
      }
    }
  }
  flushToolImages();
  return result;
}

export function toOpenAITools(tools: readonly ToolDefinition[]): ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: { ...tool.parameters } },
  }));
}
