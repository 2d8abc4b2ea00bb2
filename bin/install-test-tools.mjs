#!/usr/bin/env node
// `npm test` runs this first (pretest): tools the tests need from Debian, installed when missing,
// so `npm ci && npm test` holds on a bare machine. Never fails by itself: a test that needs a
// missing tool fails with its own message saying how to install it.
import { ensureDebianCommand } from './debian-package.mjs';

ensureDebianCommand('ipfs_cid', 'ipfs-cid', 'the independent CIDv0 oracle of test/ipfs/cid-debian.test.ts');
ensureDebianCommand('chromium', 'chromium', 'the headless browser of test/dashboard/dashboard-browser.test.ts');
