import { readKeypairFile, type Keypair } from '../../shared/keypair.js';
import { CliError } from './output.js';

/** The staking keypair named by --key or SWARMTASK_KEY_FILE; a missing or bad file is a usage error (exit 2). */
export function readKeyFileOption(flag: string | undefined, purpose: string): Keypair {
  const keyFile = flag ?? process.env.SWARMTASK_KEY_FILE;
  if (!keyFile) throw new CliError(`--key <file> (or SWARMTASK_KEY_FILE) is required: ${purpose}`, 2);
  try {
    return readKeypairFile(keyFile);
  } catch (error) {
    const missing = (error as { cause?: { code?: unknown } }).cause?.code === 'ENOENT';
    throw new CliError(`${(error as Error).message}${missing ? `: create one with swarmtask keygen --out ${keyFile}` : ''}`, 2);
  }
}
