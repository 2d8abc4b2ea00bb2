import { z } from 'zod';
import type { AgentSpec } from '../../shared/swarm-spec.js';
import { LlmCallError, type ChatMessage, type ChatRequest, type ChatResult, type ProviderRegistry } from '../llm/index.js';
import { SwarmRunError, SwarmSpecError } from './errors.js';
import { composeSystemPrompt, CONTINUE_PROMPT, PROMPT_WRITER_SYSTEM, promptWriterInput } from './prompts.js';
import type { SwarmEvent } from './types.js';
import type { UsageLedger } from './usage-ledger.js';
import type { RunBudget } from './run-budget.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventDraft = DistributiveOmit<SwarmEvent, 'job_id' | 'timestamp'>;

/** What an agent call needs from the run it belongs to. */
export interface AgentRunnerDeps {
  registry: ProviderRegistry;
  ledger: UsageLedger;
  emit: (event: EventDraft) => void;
  rules?: string;
  img?: string;
  callTimeoutMs?: number;
  streamTokens: boolean;
  nextCallId: () => number;
  /** auto_generate_prompt results, one model call per agent per run (concurrent askers share it). */
  promptCache: Map<string, Promise<string | undefined>>;
  /** The run's spending limits, when its caller set any. */
  budget?: RunBudget;
}

export interface StructuredSpec<T> {
  name: string;
  description: string;
  /** Validates the model's object. */
  schema: z.ZodType<T>;
  /**
   * What the model is shown, when it should be stricter than the validation, e.g. an enum of
   * agent names on the wire but a plain string in validation, so an unknown name gets a clear
   * error from the swarm instead of a generic schema message.
   */
  wireSchema?: z.ZodType;
}

/**
 * One agent answering one input: the system prompt (given or auto-generated) plus the swarm
 * rules; then `max_loops` turns where each later turn continues on the agent's own transcript.
 * Returns all of the agent's turns, joined by blank lines, so no turn is lost.
 */
export async function runAgentTurns(deps: AgentRunnerDeps, agent: AgentSpec, input: string, signal: AbortSignal): Promise<string> {
  const system = await systemPromptFor(deps, agent, signal);
  const messages: ChatMessage[] = [userMessage(deps, input)];
  const replies: string[] = [];
  for (let turn = 1; turn <= agent.max_loops; turn++) {
    const result = await callModel(deps, agent, { system, messages }, 'answer', signal);
    replies.push(result.text);
    if (turn < agent.max_loops) messages.push({ role: 'assistant', content: result.text }, { role: 'user', content: CONTINUE_PROMPT });
  }
  return replies.join('\n\n');
}

/** One structured call (router hand-offs, director orders, …), validated against `spec.schema`. */
export async function runStructuredCall<T>(
  deps: AgentRunnerDeps,
  agent: AgentSpec,
  input: string,
  spec: StructuredSpec<T>,
  purpose: string,
  signal: AbortSignal,
): Promise<T> {
  const system = await systemPromptFor(deps, agent, signal);
  const structured = { name: spec.name, description: spec.description, schema: z.toJSONSchema(spec.wireSchema ?? spec.schema) as Record<string, unknown> };
  const result = await callModel(deps, agent, { system, messages: [userMessage(deps, input)], structured }, purpose, signal);
  const parsed = spec.schema.safeParse(result.object);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new SwarmRunError(`${agent.agent_name} returned an invalid ${spec.name}: ${issues}`, 'invalid_model_output', agent.agent_name);
  }
  return parsed.data;
}

function userMessage(deps: AgentRunnerDeps, content: string): ChatMessage {
  return deps.img ? { role: 'user', content, images: [deps.img] } : { role: 'user', content };
}

async function systemPromptFor(deps: AgentRunnerDeps, agent: AgentSpec, signal: AbortSignal): Promise<string | undefined> {
  let base: string | undefined = agent.system_prompt;
  if (agent.auto_generate_prompt) {
    let pending = deps.promptCache.get(agent.agent_name);
    if (!pending) {
      pending = callModel(
        deps,
        agent,
        { system: PROMPT_WRITER_SYSTEM, messages: [{ role: 'user', content: promptWriterInput(agent) }] },
        'system_prompt',
        signal,
      ).then((result) => result.text.trim() || agent.system_prompt);
      deps.promptCache.set(agent.agent_name, pending);
      // A failed generation must not be cached for the agent's other calls.
      pending.catch(() => deps.promptCache.delete(agent.agent_name));
    }
    base = await pending;
  }
  return composeSystemPrompt(base, deps.rules);
}

async function callModel(
  deps: AgentRunnerDeps,
  agent: AgentSpec,
  parts: Pick<ChatRequest, 'system' | 'messages' | 'structured'>,
  purpose: string,
  signal: AbortSignal,
): Promise<ChatResult> {
  const resolved = deps.registry.resolve(agent.model_name);
  if (deps.img && !resolved.provider.supportsImages) {
    throw new SwarmSpecError(`img: model "${agent.model_name}" (provider ${resolved.providerId}) does not take image input`, 'img');
  }
  const request: ChatRequest = {
    model: resolved.model,
    messages: parts.messages,
    temperature: agent.temperature,
    maxTokens: agent.max_tokens,
    agentName: agent.agent_name,
  };
  if (parts.system !== undefined) request.system = parts.system;
  if (parts.structured) request.structured = parts.structured;
  const agentName = agent.agent_name;
  deps.budget?.beforeCall(agentName);
  const callId = deps.nextCallId();
  deps.emit({ type: 'agent_start', call_id: callId, agent_name: agentName, role: agent.role, purpose, provider: resolved.providerId, model: resolved.model });
  let result: ChatResult;
  try {
    const options = { signal, timeoutMs: deps.callTimeoutMs };
    result =
      deps.streamTokens && !parts.structured
        ? await resolved.provider.stream(request, { ...options, onToken: (text) => deps.emit({ type: 'token', call_id: callId, agent_name: agentName, text }) })
        : await resolved.provider.chat(request, options);
  } catch (err) {
    if (!signal.aborted) {
      deps.emit({ type: 'error', call_id: callId, agent_name: agentName, message: err instanceof Error ? err.message : String(err) });
    }
    throw err instanceof LlmCallError ? asRunError(err, agentName) : err;
  }
  const cost = deps.registry.costOf(resolved, result.usage);
  deps.ledger.record(agentName, result.provider, result.model, result.usage, cost);
  deps.emit({
    type: 'agent_end',
    call_id: callId,
    agent_name: agentName,
    content: result.text,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
    cost: cost.totalCost,
  });
  deps.budget?.afterCall(agentName, result.usage.inputTokens + result.usage.outputTokens, cost.totalCost);
  return result;
}

/** Says which agent failed; the provider error (kind, status) stays reachable as the cause. */
function asRunError(err: LlmCallError, agentName: string): SwarmRunError {
  const code = err.kind === 'aborted' ? 'aborted' : err.kind === 'timeout' ? 'timeout' : err.kind === 'invalid_output' ? 'invalid_model_output' : 'provider';
  return new SwarmRunError(`${agentName}: ${err.message}`, code, agentName, { cause: err });
}
