import type { AgentSpec } from '../../shared/swarm-spec.js';

/** The first agent whose role is one of `roles` (case-insensitive). */
export function findAgentByRole(agents: readonly AgentSpec[], roles: readonly string[]): AgentSpec | undefined {
  return agents.find((agent) => roles.includes(agent.role.trim().toLowerCase()));
}

/**
 * A coordinator the engine supplies when the spec has none (router, director, builder, …).
 * Its name is made distinct from the spec's agents so transcript roles and cost lines never
 * merge with a user agent that happens to be called "Director".
 */
export function builtInAgent(name: string, role: string, systemPrompt: string, modelName: string, team: readonly AgentSpec[] = []): AgentSpec {
  const taken = new Set(team.map((agent) => agent.agent_name));
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name} (built-in${n > 2 ? ` ${n - 1}` : ''})`;
  return {
    agent_name: unique,
    description: `Built-in ${role}`,
    system_prompt: systemPrompt,
    model_name: modelName,
    role,
    max_tokens: 8192,
    temperature: 0.2,
    max_loops: 1,
  };
}
