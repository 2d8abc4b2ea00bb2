import { z } from 'zod';
import { AgentSpecSchema } from '../../shared/swarm-spec.js';
import type { Core } from '../core.js';
import { SwarmSpecError } from '../swarms/index.js';
import { runSwarmForApi } from './run-swarm-for-api.js';
import type { AgentCompletion, SwarmApi } from './swarm-api-config.js';

export const AgentCompletionInputSchema = z.object({
  agent_config: AgentSpecSchema,
  task: z.string().min(1),
  /** Earlier turns, prepended to the task as context. */
  history: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});
export type AgentCompletionInput = z.input<typeof AgentCompletionInputSchema>;

/**
 * `POST /v1/agent/completions`: one agent, one task, as a one-agent SequentialWorkflow on the
 * same engine (so its loops, prompts, usage and cost behave exactly as in a swarm).
 */
export async function runAgentCompletion(core: Core, api: SwarmApi, apiKeyId: string, input: unknown): Promise<AgentCompletion> {
  const parsed = AgentCompletionInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SwarmSpecError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), issue.path.join('.') || 'body', 422);
  }
  const { agent_config: agent, task, history } = parsed.data;
  const context = history ? `Conversation so far:\n${JSON.stringify(history)}\n\n` : '';
  const result = await runSwarmForApi(core, api, apiKeyId, {
    name: agent.agent_name,
    description: agent.description,
    agents: [agent],
    swarm_type: 'SequentialWorkflow',
    task: `${context}${task}`,
    return_history: false,
  });
  return {
    id: result.job_id.replace(/^swarms-/, 'agent-'),
    success: true,
    name: agent.agent_name,
    description: agent.description ?? null,
    temperature: agent.temperature,
    outputs: result.final,
    usage: {
      input_tokens: result.usage.input_tokens,
      output_tokens: result.usage.output_tokens,
      total_tokens: result.usage.total_tokens,
      total_cost: result.usage.billing_info.total_cost,
    },
    timestamp: new Date().toISOString(),
    providers: result.providers,
  };
}
