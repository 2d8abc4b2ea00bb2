import type { AgentSpecInput } from '../../shared/swarm-spec.js';
import {
  createOfflineProvider,
  createProviderRegistry,
  LlmCallError,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type LlmProvider,
  type OfflineProviderOptions,
  type ProviderRegistry,
} from '../../server/llm/index.js';
import { sleep } from '../../server/llm/signals.js';
import type { SwarmEvent } from '../../server/swarms/index.js';

/** One model call as the provider received it. */
export interface RecordedCall {
  agent: string;
  model: string;
  system: string | undefined;
  messages: readonly ChatMessage[];
  /** The latest user message: what the agent was given this call. */
  input: string;
  structured: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
}

export interface Recorder {
  calls: RecordedCall[];
  /** Most calls in flight at once (all agents). */
  maxInFlight: number;
  /** Most calls in flight at once for a single agent. */
  maxInFlightPerAgent: Map<string, number>;
}

/**
 * Wraps a provider to record every request and count calls in flight. `delayFor` adds a
 * per-agent wait inside the call (to make later-listed agents finish first, etc.).
 */
export function recording(inner: LlmProvider, delayFor?: (agent: string) => number): { provider: LlmProvider; recorder: Recorder } {
  const recorder: Recorder = { calls: [], maxInFlight: 0, maxInFlightPerAgent: new Map() };
  let inFlight = 0;
  const perAgent = new Map<string, number>();
  const wrap =
    <O extends { signal?: AbortSignal }>(call: (request: ChatRequest, options: O) => Promise<ChatResult>) =>
    async (request: ChatRequest, options: O): Promise<ChatResult> => {
      const agent = request.agentName ?? '';
      recorder.calls.push({
        agent,
        model: request.model,
        system: request.system,
        messages: request.messages,
        input: request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
        structured: request.structured?.name,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
      });
      inFlight += 1;
      perAgent.set(agent, (perAgent.get(agent) ?? 0) + 1);
      recorder.maxInFlight = Math.max(recorder.maxInFlight, inFlight);
      recorder.maxInFlightPerAgent.set(agent, Math.max(recorder.maxInFlightPerAgent.get(agent) ?? 0, perAgent.get(agent)!));
      try {
        const delay = delayFor?.(agent) ?? 0;
        if (delay > 0) await sleep(delay, options?.signal);
        return await call(request, options);
      } finally {
        inFlight -= 1;
        perAgent.set(agent, perAgent.get(agent)! - 1);
      }
    };
  return {
    provider: {
      id: inner.id,
      supportsImages: inner.supportsImages,
      chat: wrap((request, options) => inner.chat(request, options)),
      stream: wrap((request, options: Parameters<LlmProvider['stream']>[1]) => inner.stream(request, options)),
    },
    recorder,
  };
}

/** A registry where every model runs on the (recorded) offline model. */
export function offlineHarness(options: OfflineProviderOptions & { delayFor?: (agent: string) => number } = {}): {
  providers: ProviderRegistry;
  recorder: Recorder;
} {
  const { provider, recorder } = recording(createOfflineProvider(options), options.delayFor);
  return { providers: createProviderRegistry({ modelMap: '*=offline', providers: { offline: provider } }), recorder };
}

export type Script = (request: ChatRequest) => string | object | Error;

/**
 * A provider whose answers a test scripts (text, a structured object, or an Error to fail
 * with). It reports itself as `scripted`; models are addressed as `scripted/<name>`.
 */
export function scriptedProvider(script: Script): LlmProvider {
  const answer = async (request: ChatRequest): Promise<ChatResult> => {
    const reply = script(request);
    if (reply instanceof Error) throw reply;
    const text = typeof reply === 'string' ? reply : JSON.stringify(reply);
    const result: ChatResult = { text, usage: { inputTokens: 10, outputTokens: 5 }, provider: 'scripted', model: request.model };
    if (request.structured) result.object = typeof reply === 'string' ? JSON.parse(reply) : reply;
    return result;
  };
  return {
    id: 'scripted',
    supportsImages: true,
    chat: (request) => answer(request),
    async stream(request, options) {
      const result = await answer(request);
      options.onToken(result.text);
      return result;
    },
  };
}

/** Scripted answers recorded like the offline harness; agents use model `scripted/m`. */
export function scriptedHarness(script: Script, delayFor?: (agent: string) => number): { providers: ProviderRegistry; recorder: Recorder } {
  const { provider, recorder } = recording(scriptedProvider(script), delayFor);
  return { providers: createProviderRegistry({ providers: { scripted: provider } }), recorder };
}

export function failure(message: string): LlmCallError {
  return new LlmCallError(message, 'bad_request', 'scripted', 'm', 400);
}

export function agents(names: readonly string[], extra: Partial<AgentSpecInput> = {}): AgentSpecInput[] {
  return names.map((name) => ({ agent_name: name, model_name: 'gpt-4o', description: `${name} handles its part`, ...extra }));
}

/** Names in an offline answer's `saw:` line: whose answers the agent was shown. */
export function saw(text: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('saw: '));
  if (!line) throw new Error(`not an offline answer: ${text.slice(0, 80)}`);
  const list = line.slice('saw: '.length);
  return list === 'nobody' ? [] : list.split(', ');
}

/** Calls that produced an agent's answers (excludes structured routing/planning calls). */
export function answerCalls(recorder: Recorder): RecordedCall[] {
  return recorder.calls.filter((call) => call.structured === undefined);
}

export function collectEvents(): { events: SwarmEvent[]; onEvent: (event: SwarmEvent) => void } {
  const events: SwarmEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}
