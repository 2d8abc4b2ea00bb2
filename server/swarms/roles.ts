import type { AgentSpec } from '../../shared/swarm-spec.js';

/** The first agent whose role is one of `roles` (case-insensitive). */
export function findAgentByRole(agents: readonly AgentSpec[], roles: readonly string[]): AgentSpec | undefined {
  return agents.find((agent) => roles.includes(agent.role.trim().toLowerCase()));
}

/** A coordinator the engine supplies when the spec has none (router, director, builder, …). */
export function builtInAgent(name: string, role: string, systemPrompt: string, modelName: string): AgentSpec {
  return {
    agent_name: name,
    description: `Built-in ${role}`,
    system_prompt: systemPrompt,
    model_name: modelName,
    role,
    max_tokens: 8192,
    temperature: 0.2,
    max_loops: 1,
  };
}
