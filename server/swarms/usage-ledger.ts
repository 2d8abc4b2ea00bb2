import type { CallCost, TokenUsage } from '../llm/index.js';
import type { AgentCost, SwarmUsage } from './types.js';

/** Tokens and cost of every model call in a run, per agent. */
export class UsageLedger {
  private readonly perAgent = new Map<string, AgentCost>();
  private readonly providerIds = new Set<string>();

  record(agentName: string, provider: string, model: string, usage: TokenUsage, cost: CallCost): void {
    this.providerIds.add(provider);
    const entry = this.perAgent.get(agentName) ?? {
      model,
      provider,
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      input_cost: 0,
      output_cost: 0,
      total_cost: 0,
      priced: true,
    };
    entry.calls += 1;
    entry.input_tokens += usage.inputTokens;
    entry.output_tokens += usage.outputTokens;
    entry.total_tokens = entry.input_tokens + entry.output_tokens;
    entry.input_cost = round(entry.input_cost + cost.inputCost);
    entry.output_cost = round(entry.output_cost + cost.outputCost);
    entry.total_cost = round(entry.input_cost + entry.output_cost);
    entry.priced &&= cost.priced;
    this.perAgent.set(agentName, entry);
  }

  providers(): string[] {
    return [...this.providerIds].sort();
  }

  summary(): SwarmUsage {
    const cost_breakdown: Record<string, AgentCost> = {};
    let input = 0;
    let output = 0;
    let total = 0;
    for (const [name, entry] of this.perAgent) {
      cost_breakdown[name] = { ...entry };
      input += entry.input_tokens;
      output += entry.output_tokens;
      total += entry.total_cost;
    }
    return {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      billing_info: { cost_breakdown, total_cost: round(total) },
    };
  }
}

function round(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}
