import { readFileSync } from 'node:fs';
import { SwarmSpecSchema, type SwarmSpec } from '../../shared/swarm-spec.js';
import { CliError } from './output.js';

/** Reads a SwarmSpec JSON file (`-`: standard input, e.g. `swarmtask todo example | swarmtask todo add -`); errors name the file and each bad field. */
export function readSpecFile(path: string): SwarmSpec {
  const name = path === '-' ? 'standard input' : path;
  let text: string;
  try {
    // File descriptor 0 reads a pipe or a redirected file to its end, synchronously.
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${name}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${name} is not JSON: ${(error as Error).message}`);
  }
  const parsed = SwarmSpecSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CliError(`${name} is not a valid SwarmSpec: ${problems.join('; ')}`);
  }
  return parsed.data;
}
