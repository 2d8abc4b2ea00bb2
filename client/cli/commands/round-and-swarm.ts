import type { Command } from 'commander';
import { budgetFromLimits } from '../budget-flags.js';
import { globalOptions, withAdmin } from '../context.js';
import { CliError, emit, table } from '../output.js';
import { readSpecFile } from '../read-spec-file.js';
import { formatSwarms } from '../../../shared/swarms-units.js';
import { registerRoundVerify } from './round-verify.js';

export function registerRoundAndSwarmCommands(program: Command): void {
  const round = program.command('round').description('rounds, votes and payouts');
  round
    .command('show [number]')
    .description('a round (default: the newest tallied one) with submissions, votes and its distribution list')
    .action(async (number: string | undefined, _: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const target = number === undefined ? undefined : Number(number);
      if (target !== undefined && (!/^\d+$/.test(number!) || !Number.isSafeInteger(target))) {
        throw new CliError('round number must be a non-negative integer', 2);
      }
      const detail = await withAdmin(options, (api) => api.roundDetail(target));
      emit(options.json === true, detail, () =>
        [
          `round ${detail.number}: ${detail.status}${detail.distributionCid ? `  list ${detail.distributionCid}` : ''}`,
          table(
            detail.submissions.map((s) => ({ id: s.id, todo: s.todoId, worker: s.stakingKey, status: s.status, votes: s.votes.map((v) => v.vote ?? v.status).join(' ') })),
            ['id', 'todo', 'worker', 'status', 'votes'],
          ),
          'distribution:',
          table(Object.entries(detail.distribution).map(([key, amount]) => ({ key, amount: formatSwarms(Number(amount)) })), ['key', 'amount']),
        ].join('\n'),
      );
    });
  registerRoundVerify(round);
  program
    .command('balances')
    .description('ledger balances per staking key (--json: base units)')
    .action(async (_: unknown, cmd: Command) => {
      const options = globalOptions(cmd);
      const list = await withAdmin(options, (api) => api.balances());
      emit(options.json === true, list, () => table(list.map((b) => ({ ...b, balance: formatSwarms(b.balance) })), ['stakingKey', 'balance']));
    });

  program
    .command('swarm')
    .description('run swarms locally')
    .command('run <spec.json>')
    .description('run a SwarmSpec on this machine with the engine (models per SWARMTASK_MODEL_MAP / --model-map)')
    .option('--model-map <map>', 'e.g. "*=offline"')
    .option('--max-calls <n>', 'stop after this many model calls')
    .option('--max-tokens <n>', 'stop past this many tokens (input + output)')
    .option('--max-cost <usd>', "stop past this many US dollars at the price table's rates")
    .action(async (file: string, flags: { modelMap?: string; maxCalls?: string; maxTokens?: string; maxCost?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const spec = readSpecFile(file);
      const budget = budgetFromLimits({
        calls: { name: '--max-calls', text: flags.maxCalls },
        tokens: { name: '--max-tokens', text: flags.maxTokens },
        costUsd: { name: '--max-cost', text: flags.maxCost },
      });
      const { runSwarm, createProviderRegistry } = await import('../../../server/swarms/index.js');
      const providers = createProviderRegistry({ env: process.env, ...(flags.modelMap ? { modelMap: flags.modelMap } : {}) });
      const result = await runSwarm(spec, {
        providers,
        budget,
        onEvent: options.json ? undefined : (e) => {
          if (e.type === 'agent_end') process.stderr.write(`  ${e.agent_name} answered (${e.usage.output_tokens} tokens)\n`);
        },
      });
      emit(options.json === true, result, () => `${result.output.map((m) => `## ${m.role}\n${m.content}`).join('\n\n')}\n\n# final\n${result.final}`);
    });
}
