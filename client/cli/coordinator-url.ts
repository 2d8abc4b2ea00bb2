import { connectionFailure } from '../connection-failure.js';
import { CliError } from './output.js';

const DEFAULT_PORT = 8787;

/**
 * The coordinator that worker-side commands (`register`, `lease`, `worker`) talk to: `--server`,
 * else SWARMTASK_SERVER_URL, else the original system's MIDDLE_SERVER_URL, else this machine at
 * SWARMTASK_PORT (the port `swarmtask server` reads), else 8787.
 * @throws CliError (exit 2) if the result is not an http(s) URL.
 */
export function coordinatorUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  // An empty variable counts as unset, as in a shell's `VAR= command`.
  return checkedServerUrl(flag ?? (env.SWARMTASK_SERVER_URL || env.MIDDLE_SERVER_URL || `http://127.0.0.1:${localPort(env.SWARMTASK_PORT)}`));
}

/**
 * A `--server` value, checked: it must be an http(s) URL.
 * @throws CliError (exit 2) naming the value otherwise.
 */
export function checkedServerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--server must be a URL, got "${url}"`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`--server must be an http:// or https:// URL, got "${url}"`, 2);
  }
  return url;
}

function localPort(value: string | undefined): number {
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port <= 65535 ? port : DEFAULT_PORT;
}

/**
 * A failure to reach the coordinator at all, as a message that names it and says what to do;
 * null for anything else (the coordinator answered), which callers report as it is.
 */
export function unreachableCoordinator(error: unknown, url: string): CliError | null {
  const failure = connectionFailure(error);
  if (!failure) return null;
  return new CliError(
    `cannot reach the coordinator at ${url} (${failure.code}): start it with \`swarmtask server\`, or point --server / SWARMTASK_SERVER_URL at it`,
  );
}
