import { randomUUID } from 'node:crypto';
import type { AgentSpec } from '../../shared/swarm-spec.js';
import { toCsv } from './csv.js';
import type { SpreadsheetOutput } from './types.js';
import { asked, everyLoop, modelCallsOf, type SwarmTypeModule } from './swarm-type.js';

export const SPREADSHEET_CSV_HEADER = ['Run ID', 'Agent Name', 'Task', 'Result', 'Timestamp'] as const;

/**
 * Every agent runs the task independently, `max_loops` times; all agent × loop runs are
 * concurrent and none sees another's answer. The result is upstream's run metadata (with real,
 * per-row timestamps) plus the CSV text. A failed run is reported in `errors`, not as a row.
 */
export const spreadSheetSwarm: SwarmTypeModule = {
  /** Exact: one job per agent × loop. */
  minimumCalls(spec) {
    return modelCallsOf(everyLoop(spec.max_loops, spec.agents.map(asked)));
  },

  async run(ctx) {
    const runId = randomUUID();
    const startTime = new Date().toISOString();
    const jobs: { agent: AgentSpec; loop: number }[] = [];
    for (let loop = 1; loop <= ctx.spec.max_loops; loop++) for (const agent of ctx.agents) jobs.push({ agent, loop });
    const settled = await ctx.settle(jobs, async ({ agent }, signal) => {
      const result = await ctx.ask(agent, ctx.spec.task, signal);
      return { result, timestamp: new Date().toISOString() };
    });
    const outputs: SpreadsheetOutput[] = [];
    let firstError: unknown;
    settled.forEach((outcome, index) => {
      const { agent, loop } = jobs[index]!;
      if (outcome.status === 'fulfilled') {
        outputs.push({ agent_name: agent.agent_name, task: ctx.spec.task, ...outcome.value });
        ctx.transcript.add(agent.agent_name, outcome.value.result);
      } else {
        firstError ??= outcome.reason;
        ctx.recordFailure(agent.agent_name, loop, outcome.reason);
      }
    });
    if (outputs.length === 0) throw firstError;
    const csv = toCsv(
      SPREADSHEET_CSV_HEADER,
      outputs.map((o) => [runId, o.agent_name, o.task, o.result, o.timestamp]),
    );
    return {
      final: csv,
      extras: {
        spreadsheet: {
          run_id: runId,
          name: ctx.spec.name ?? 'SpreadSheetSwarm',
          description: ctx.spec.description ?? '',
          agents: ctx.agents.map((a) => a.agent_name),
          start_time: startTime,
          end_time: new Date().toISOString(),
          tasks_completed: outputs.length,
          outputs,
          number_of_agents: ctx.agents.length,
          csv,
        },
      },
    };
  },
};
