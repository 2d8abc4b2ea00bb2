import { readFileSync } from 'node:fs';
import { SwarmSpecSchema, type SwarmSpec } from '../../shared/swarm-spec.js';
import { CliError } from './output.js';

/** Reads a SwarmSpec JSON file; errors name the file and each bad field. */
export function readSpecFile(path: string): SwarmSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = SwarmSpecSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CliError(`${path} is not a valid SwarmSpec: ${problems.join('; ')}`);
  }
  return parsed.data;
}
