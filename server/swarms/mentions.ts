import type { AgentSpec } from '../../shared/swarm-spec.js';

/**
 * Agents addressed as `@Agent Name` in `text`, in order of appearance (case-insensitive; at a
 * given position the longest matching name wins, so "@Ann Lee" is not read as "@Ann").
 */
export function findMentions(text: string, agents: readonly AgentSpec[]): AgentSpec[] {
  const byLength = [...agents].sort((a, b) => b.agent_name.length - a.agent_name.length);
  const lower = text.toLowerCase();
  const found: AgentSpec[] = [];
  for (let at = lower.indexOf('@'); at >= 0; at = lower.indexOf('@', at + 1)) {
    const rest = lower.slice(at + 1);
    const agent = byLength.find((a) => {
      const name = a.agent_name.toLowerCase();
      // The name must end at a word boundary: "@Bobby" does not address "Bob".
      return rest.startsWith(name) && !/[\p{L}\p{N}_]/u.test(rest.charAt(name.length));
    });
    if (agent && !found.includes(agent)) found.push(agent);
  }
  return found;
}
