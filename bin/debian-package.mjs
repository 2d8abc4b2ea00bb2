// Installs a Debian package when the command it provides is missing. Tests and the bench need a
// few outside tools (an independent CID oracle, Redis for the BullMQ peer run); machines here
// start bare and reach Debian's archive, so the scripts install what they use themselves.
import { spawnSync } from 'node:child_process';

/** The command's path, or '' when it is not on PATH. */
export function commandPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
}

/**
 * Returns the command's path, installing `pkg` with apt-get first if the command is missing;
 * '' when that was not possible (not root, no apt-get, no network): the caller decides whether
 * that is fatal and says what to do.
 */
export function ensureDebianCommand(command, pkg, purpose) {
  const found = commandPath(command);
  if (found) return found;
  if (!commandPath('apt-get') || process.getuid?.() !== 0) {
    console.error(`${command} is missing (${purpose}); install the Debian package ${pkg} as root: apt-get install -y ${pkg}`);
    return '';
  }
  console.error(`${command} not found; installing the Debian package ${pkg} (${purpose})…`);
  const install = spawnSync(
    'sh',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg} >/dev/null`],
    { stdio: 'inherit' },
  );
  if (install.status !== 0) console.error(`apt-get could not install ${pkg} (exit ${install.status})`);
  return commandPath(command);
}
