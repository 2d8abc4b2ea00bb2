#!/usr/bin/env node
// `npm test` runs this first (pretest): tools the tests need from Debian, installed when missing,
// so `npm ci && npm test` holds on a bare machine, and the CLI bundle. Never fails by itself: a
// test that needs a missing tool fails with its own message saying how to install it.
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY, CLI_SOURCE_DIRS, ensureCliBundle } from './cli-bundle.mjs';
import { ensureDebianCommand } from './debian-package.mjs';

ensureDebianCommand('ipfs_cid', 'ipfs-cid', 'the independent CIDv0 oracle of test/ipfs/cid-debian.test.ts');
ensureDebianCommand('chromium', 'chromium', 'the headless browser of test/dashboard/dashboard-browser.test.ts');
ensureDebianCommand('systemd-analyze', 'systemd', "the checker of the README's systemd unit in test/cli/readme-snippet.test.ts");
ensureDebianCommand('faketime', 'faketime', 'the clock that is 10 minutes off in test/worker/clock-skew-cli.test.ts');

// Many tests start the CLI at once; bundle it here once rather than in each of them.
const bundle = await ensureCliBundle({ root: fileURLToPath(new URL('..', import.meta.url)), entry: CLI_ENTRY, sourceDirs: CLI_SOURCE_DIRS });
if (!bundle.path) console.error(`swarmtask: the CLI runs from its sources (${bundle.reason})`);
