import { readFileSync } from 'node:fs';
import { SwarmSpecSchema, type SwarmSpec } from '../../shared/swarm-spec.js';
import { CliError } from './output.js';

/** A file's text, or standard input's for `-`, with the name to use in messages; an unreadable one is a CliError. */
export function readInputText(path: string): { name: string; text: string } {
  const name = path === '-' ? 'standard input' : path;
  try {
    // File descriptor 0 reads a pipe or a redirected file to its end, synchronously.
    return { name, text: readFileSync(path === '-' ? 0 : path, 'utf8') };
  } catch (error) {
    throw new CliError(`cannot read ${name}: ${(error as Error).message}`);
  }
}

/** Reads a SwarmSpec JSON file (`-`: standard input, e.g. `swarmtask todo example | swarmtask todo add -`); errors name the file and each bad field. */
export function readSpecFile(path: string): SwarmSpec {
  const { name, text } = readInputText(path);
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
