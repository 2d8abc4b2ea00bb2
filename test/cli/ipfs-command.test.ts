import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cidForBytes } from '../../shared/cid.js';
import { tempDir } from '../helpers/coordinator.js';
import { startKuboStub } from '../helpers/kubo-stub.js';
import { runCli } from '../helpers/run-cli.js';

/** 300 KB of text: more than one 256 KiB chunk, and safe to compare as a string on stdout. */
const text = Array.from({ length: 30_000 }, (_, i) => `line ${String(i).padStart(4, '0')}`).join('\n');

describe('swarmtask ipfs add / cat, as a process (the bundled kubo-rpc-client and importer)', () => {
  it('stores and reads back a multi-block file with the CID ipfs add computes, in the data dir and through Kubo', async () => {
    using dir = tempDir();
    const file = join(dir.path, 'report.txt');
    writeFileSync(file, text);
    const bytes = new TextEncoder().encode(text);
    const stub = await startKuboStub();
    await using _closeStub = { [Symbol.asyncDispose]: () => stub.close() };

    for (const [backend, env] of [
      ['embedded', { IPFS_API_URL: '' }],
      ['kubo', { IPFS_API_URL: stub.url }],
    ] as const) {
      const data = ['--data', join(dir.path, backend)];
      for (const version of [0, 1] as const) {
        const added = await runCli(['ipfs', 'add', file, '--cid-version', String(version), ...data], env);
        expect(added.stderr, backend).toBe('');
        expect(added.stdout).toBe(`${await cidForBytes(bytes, { cidVersion: version })}\n`);
        const read = await runCli(['ipfs', 'cat', added.stdout.trim(), ...data], env);
        expect(read.code, read.stderr).toBe(0);
        expect(read.stdout === text, `${backend} CIDv${version}: the bytes read back differ`).toBe(true);
      }
    }
    // The kubo runs went to the daemon: it was asked to add, and to read the blocks back.
    expect(stub.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/v0/add', '/api/v0/block/get']));
  });
});
