import type { Command } from 'commander';
import { checkDistribution } from '../../../shared/distribution.js';
import { StakingKeySchema } from '../../../shared/envelope.js';
import { formatSwarms } from '../../../shared/swarms-units.js';
import { globalOptions } from '../context.js';
import { coordinatorUrl, unreachableCoordinator } from '../coordinator-url.js';
import { discoverCoordinator, type CoordinatorIdentity } from '../../discover-task-id.js';
import { CliError, emit, labelled } from '../output.js';
import { readKeyFileOption } from '../read-key-file.js';

/**
 * `swarmtask round verify <cid>`: a node runner checks a payout list without trusting the server
 * that serves it. The bytes are fetched from the coordinator's trustless gateway and checked
 * against the CID block by block; the signature is checked against the coordinator's key (the
 * one its `/healthz` announces, or one the runner pinned with --coordinator-key).
 */
export function registerRoundVerify(round: Command): void {
  round
    .command('verify <cid>')
    .description("check a round's payout list: fetched by CID and verified, signed by the coordinator's key, consistent (no API key needed)")
    .option('--coordinator-key <key>', "the key it must be signed by (default: the key the coordinator announces)")
    .option('--key <file>', 'also say what it pays this staking keypair')
    .action(async (cid: string, flags: { coordinatorKey?: string; key?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const url = coordinatorUrl(options.server);
      if (flags.coordinatorKey !== undefined && !StakingKeySchema.safeParse(flags.coordinatorKey).success) {
        throw new CliError(`--coordinator-key must be a base58 Ed25519 public key, got "${flags.coordinatorKey}"`, 2);
      }
      const mine = flags.key === undefined ? undefined : readKeyFileOption(flags.key, 'whose payout to show').publicKeyBase58;
      const { fetchVerified } = await import('../../../shared/ipfs/fetch-verified.js');
      let bytes: Uint8Array;
      let announced: CoordinatorIdentity;
      try {
        announced = await discoverCoordinator(url);
        bytes = await fetchVerified(url, cid);
      } catch (error) {
        throw unreachableCoordinator(error, url) ?? new CliError(`could not read payout list ${cid} from ${url}: ${(error as Error).message}`);
      }
      const expectedKey = flags.coordinatorKey ?? announced.coordinatorKey;
      if (expectedKey === undefined) throw new CliError(`${url} does not announce its signing key (an older release?): pass --coordinator-key`, 2);
      const { document, problems } = checkDistribution(bytes, { coordinatorKey: expectedKey, taskId: announced.taskId });
      const paysMine = mine === undefined || !document ? undefined : (document.list.distribution[mine] ?? 0);
      emit(options.json === true, { cid, ok: problems.length === 0, problems, document, ...(mine === undefined ? {} : { key: mine, paysKey: paysMine }) }, () => {
        const verdict = problems.length === 0 ? `payout list ${cid} verified` : `payout list ${cid} is NOT valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
        if (!document) return verdict;
        const list = document.list;
        const lines: Array<[string, string]> = [
          ['round', String(list.round)],
          ['task', list.taskId],
          ['signed by', document.coordinatorKey],
          ['total', `${formatSwarms(list.total)} to ${Object.keys(list.distribution).length} keys`],
        ];
        if (mine !== undefined) lines.push(['your key', `${formatSwarms(paysMine ?? 0)} (${mine})`]);
        return `${verdict}\n${labelled(lines, '  ')}`;
      });
      if (problems.length > 0) process.exitCode = 1;
    });
}
