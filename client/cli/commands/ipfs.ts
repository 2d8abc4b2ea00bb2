import type { Command } from 'commander';
import { globalOptions, serverConfigFrom } from '../context.js';
import { CliError, emit } from '../output.js';

/** Opens the coordinator's IPFS store: the embedded one in the data dir, or Kubo with IPFS_API_URL. */
async function withStore<T>(cmd: Command, work: (store: import('../../../server/ipfs/index.js').IpfsStore) => Promise<T>): Promise<T> {
  const config = serverConfigFrom(globalOptions(cmd));
  const { openCore } = await import('../../../server/open-core.js');
  const { silentLogger } = await import('../../../server/logger.js');
  const core = openCore(config, silentLogger());
  try {
    return await work(core.ipfs);
  } finally {
    core.close();
  }
}

export function registerIpfsCommands(program: Command): void {
  const ipfs = program.command('ipfs').description('the IPFS store (embedded in the data dir, or Kubo with IPFS_API_URL)');
  ipfs
    .command('add <file>')
    .description('store a file and print its CID (the same CID `ipfs add` computes)')
    .option('--cid-version <n>', '0 or 1', '1')
    .action(async (file: string, flags: { cidVersion: string }, cmd: Command) => {
      if (flags.cidVersion !== '0' && flags.cidVersion !== '1') throw new CliError('--cid-version must be 0 or 1', 2);
      const { ipfsAddFile } = await import('../../../server/ipfs/index.js');
      const cid = await withStore(cmd, (store) => ipfsAddFile(store, file, { cidVersion: Number(flags.cidVersion) as 0 | 1 }));
      emit(globalOptions(cmd).json === true, { cid }, () => cid);
    });
  ipfs
    .command('cat <cid>')
    .description('write the verified bytes of a file to stdout')
    .action(async (cid: string, _: unknown, cmd: Command) => {
      const { ipfsCat } = await import('../../../server/ipfs/index.js');
      const bytes = await withStore(cmd, (store) => ipfsCat(store, cid));
      process.stdout.write(bytes);
    });
}
