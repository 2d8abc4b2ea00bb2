import type { MockReply, SseEvent } from './mock-llm-server.js';

/** Response bodies in the shapes the real APIs send (only the fields SDKs and our layer read, plus the usual ones). */

export function openaiCompletion(content: string | null, usage = { prompt_tokens: 11, completion_tokens: 3 }, extra: Record<string, unknown> = {}): MockReply {
  return {
    json: {
      id: 'chatcmpl-mock',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, ...extra }, logprobs: null, finish_reason: extra['tool_calls'] ? 'tool_calls' : 'stop' }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    },
  };
}

export function openaiToolCall(name: string, args: string, usage = { prompt_tokens: 20, completion_tokens: 9 }): MockReply {
  return openaiCompletion(null, usage, { tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: args } }] });
}

function chunk(delta: Record<string, unknown>, finish: string | null = null): SseEvent {
  return {
    data: {
      id: 'chatcmpl-mock',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    },
  };
}

/** Text deltas, then (as with stream_options.include_usage) a final chunk with empty choices and the usage. */
export function openaiStream(pieces: string[], usage = { prompt_tokens: 11, completion_tokens: 3 }): MockReply {
  return {
    sse: [
      chunk({ role: 'assistant', content: '' }),
      ...pieces.map((piece) => chunk({ content: piece })),
      chunk({}, 'stop'),
      {
        data: {
          id: 'chatcmpl-mock',
          object: 'chat.completion.chunk',
          created: 1_700_000_000,
          model: 'gpt-4o-2024-08-06',
          choices: [],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        },
      },
      { data: '[DONE]' },
    ],
  };
}

export function openaiToolStream(name: string, argPieces: string[], usage = { prompt_tokens: 20, completion_tokens: 9 }): MockReply {
  return {
    sse: [
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name, arguments: '' } }] }),
      ...argPieces.map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
      chunk({}, 'tool_calls'),
      { data: { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { ...usage, total_tokens: 29 } } },
      { data: '[DONE]' },
    ],
  };
}

export function openaiError(status: number, message: string, headers: Record<string, string> = {}): MockReply {
  return { status, headers, json: { error: { message, type: 'mock_error', code: null } } };
}

const anthropicUsage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
});

export function anthropicMessage(content: unknown[], usage = { input: 12, output: 5 }): MockReply {
  return {
    json: {
      id: 'msg_mock',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content,
      stop_reason: content.some((b) => (b as { type: string }).type === 'tool_use') ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: anthropicUsage(usage.input, usage.output),
    },
  };
}

/** The event sequence of the Messages streaming API, including the `ping` the SDK must skip. */
export function anthropicStream(blocks: ({ type: 'text'; pieces: string[] } | { type: 'tool_use'; name: string; jsonPieces: string[] })[], usage = { input: 12, output: 5 }): MockReply {
  const events: SseEvent[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id: 'msg_mock', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(usage.input, 1) },
      },
    },
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
      events.push({ event: 'ping', data: { type: 'ping' } });
      for (const text of block.pieces) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } } });
    } else {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: 'toolu_1', name: block.name, input: {} } } });
      for (const partial_json of block.jsonPieces) {
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } } });
      }
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push(
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  return { sse: events };
}

export function anthropicError(status: number, message: string, headers: Record<string, string> = {}): MockReply {
  return { status, headers, json: { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } } };
}
