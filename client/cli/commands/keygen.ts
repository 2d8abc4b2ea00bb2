import type { Command } from 'commander';
import { generateKeypair, writeKeypairFile } from '../../../shared/keypair.js';
import { globalOptions } from '../context.js';
import { CliError, emit } from '../output.js';

export function registerKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description('create an ed25519 staking keypair (Solana/Koii JSON format) and print its public key')
    .option('--out <file>', 'write the keypair here (mode 0600)')
    .option('--force', 'overwrite an existing file')
    .action((flags: { out?: string; force?: boolean }, cmd: Command) => {
      const options = globalOptions(cmd);
      const keypair = generateKeypair();
      if (flags.out) {
        try {
          writeKeypairFile(flags.out, keypair, { overwrite: flags.force === true });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
      } else if (!options.json) {
        process.stderr.write('(no --out given: the secret key is printed below and not saved)\n');
        process.stdout.write(`${JSON.stringify(Array.from(keypair.secretKey))}\n`);
      }
      const secret = flags.out ? {} : { secretKey: Array.from(keypair.secretKey) };
      emit(options.json === true, { publicKey: keypair.publicKeyBase58, file: flags.out ?? null, ...secret }, () => keypair.publicKeyBase58);
    });
}
