import type { AgentSpec } from '../../shared/swarm-spec.js';

/** Prompt texts of the engine, in one place so the type files stay about control flow. */

export function composeSystemPrompt(base: string | undefined, rules: string | undefined): string | undefined {
  const parts: string[] = [];
  if (base?.trim()) parts.push(base.trim());
  if (rules?.trim()) parts.push(`## Swarm Rules\n${rules.trim()}`);
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

export const CONTINUE_PROMPT = 'Continue: review your previous answer, then improve or extend it.';

export const PROMPT_WRITER_SYSTEM =
  'You write system prompts for AI agents. Reply with the system prompt only, in the second person, without preamble.';

export function promptWriterInput(agent: AgentSpec): string {
  return [
    `Agent name: ${agent.agent_name}`,
    `Description: ${agent.description ?? '(none)'}`,
    `Given prompt: ${agent.system_prompt ?? '(none)'}`,
    'Write the system prompt this agent should run with.',
  ].join('\n');
}

export function teamListing(agents: readonly AgentSpec[]): string {
  return agents.map((a) => `- ${a.agent_name}: ${a.description ?? a.system_prompt?.slice(0, 120) ?? 'no description'}`).join('\n');
}

export function withPreviousAnswers(task: string, label: string, answers: string): string {
  return `Original task: ${task}\n\n${label}:\n\n${answers}`;
}

export const ROUTER_SYSTEM =
  'You are the router of a team of AI agents. Read the task and hand it off to the agents best suited to it, ' +
  'judging by their descriptions. You may select several agents; give each a reason and, if useful, a task tailored to it.';

export function routerInput(taskOrTranscript: string, workers: readonly AgentSpec[]): string {
  return `${taskOrTranscript}\n\nAvailable agents:\n${teamListing(workers)}\n\nChoose the agents to hand this task to.`;
}

export const DIRECTOR_SYSTEM =
  'You are the director of a team of AI agents. Make a plan for the task and give each agent you need a concrete order. ' +
  'After the agents report, review their work and give specific, actionable feedback.';

export function directorPlanInput(transcript: string, workers: readonly AgentSpec[], round: number, rounds: number): string {
  return `${transcript}\n\nYour team:\n${teamListing(workers)}\n\nRound ${round} of ${rounds}: write the plan and the orders for this round.`;
}

export function workerOrderInput(transcript: string, order: string): string {
  return `${transcript}\n\nYour order from the director: ${order}`;
}

export function directorReviewInput(transcript: string, last: boolean): string {
  return last
    ? `${transcript}\n\nWrite the final answer to the original task, synthesizing the agents' results and your feedback.`
    : `${transcript}\n\nReview the agents' results above and give specific, actionable feedback for each agent for the next round.`;
}

export function aggregatorInput(transcript: string): string {
  return `${transcript}\n\nSynthesize the answers above into one final answer to the original task.`;
}

export function groupChatInput(transcript: string, speaker: AgentSpec, agents: readonly AgentSpec[]): string {
  return (
    `${transcript}\n\nParticipants:\n${teamListing(agents)}\n\n` +
    `You are ${speaker.agent_name}. It is your turn in the group discussion of the task; ` +
    'to hand the floor to a participant, address them as @Name.'
  );
}

export const VOTE_INSTRUCTION = 'End your answer with a final line that states only your answer.';

export function consensusInput(task: string, votes: string, tally: string): string {
  return (
    `Original task: ${task}\n\nThe agents answered:\n\n${votes}\n\nVote tally (normalized final lines):\n${tally}\n\n` +
    'Analyse the answers and the tally, and write the consensus answer to the task.'
  );
}

export const BUILDER_SYSTEM =
  'You design teams of AI agents. For the task, define the agents (name, description, system prompt) and choose how ' +
  'they cooperate: a swarm type and, for AgentRearrange, a flow such as "A -> B, C -> D" over the agent names.';

export function builderInput(task: string, swarmTypes: readonly string[]): string {
  return `Task: ${task}\n\nSwarm types to choose from: ${swarmTypes.join(', ')}.\nDesign the agents and the swarm for this task.`;
}

export const CLASSIFIER_SYSTEM =
  'You choose how a team of AI agents should cooperate on a task. Pick the swarm type that fits best and explain why in one sentence.';

export function classifierInput(task: string, agents: readonly AgentSpec[], candidates: readonly string[], ruleChoice: string, ruleReason: string): string {
  return (
    `Task: ${task}\n\nAgents:\n${teamListing(agents)}\n\nSwarm types: ${candidates.join(', ')}.\n` +
    `A keyword rule suggests ${ruleChoice} (${ruleReason}). Choose the swarm type.`
  );
}
