import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import bs58 from 'bs58';
import {
  generateKeypair,
  keypairFromSecretKey,
  parseKeypairJson,
  readKeypairFile,
  writeKeypairFile,
} from '../../shared/keypair.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmtask-keypair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keypair', () => {
  it('generates a Solana-layout keypair', () => {
    const kp = generateKeypair();
    expect(kp.secretKey).toHaveLength(64);
    expect(kp.publicKey).toHaveLength(32);
    expect(Array.from(kp.secretKey.subarray(32))).toEqual(Array.from(kp.publicKey));
    expect(kp.publicKeyBase58).toBe(bs58.encode(kp.publicKey));
  });

  it('keypairFromSecretKey validates length and halves', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    expect(keypairFromSecretKey(a.secretKey).publicKeyBase58).toBe(bs58.encode(a.publicKey));
    expect(() => keypairFromSecretKey(a.secretKey.subarray(0, 63))).toThrow(/64 bytes/);
    const mixed = new Uint8Array([...a.secretKey.subarray(0, 32), ...b.publicKey]);
    expect(() => keypairFromSecretKey(mixed)).toThrow('keypair file: public key half does not match its seed');
  });

  it('round-trips through a 0600 file in a new directory', () => {
    const kp = generateKeypair();
    const path = join(dir, 'nested', 'deeper', 'id.json');
    writeKeypairFile(path, kp);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text)).toEqual(Array.from(kp.secretKey));
    const back = readKeypairFile(path);
    expect(back.publicKeyBase58).toBe(kp.publicKeyBase58);
    expect(Array.from(back.secretKey)).toEqual(Array.from(kp.secretKey));
  });

  it('refuses to overwrite unless asked', () => {
    const path = join(dir, 'existing.json');
    const first = generateKeypair();
    const second = generateKeypair();
    writeKeypairFile(path, first);
    expect(() => writeKeypairFile(path, second)).toThrow(/already exists/);
    expect(readKeypairFile(path).publicKeyBase58).toBe(first.publicKeyBase58);
    writeFileSync(path, 'x', { mode: 0o644 });
    writeKeypairFile(path, second, { overwrite: true });
    expect(readKeypairFile(path).publicKeyBase58).toBe(second.publicKeyBase58);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('reads a Solana CLI style file', () => {
    const kp = nacl.sign.keyPair();
    const path = join(dir, 'solana.json');
    writeFileSync(path, JSON.stringify(Array.from(kp.secretKey)) + '\n');
    expect(readKeypairFile(path).publicKeyBase58).toBe(bs58.encode(kp.publicKey));
  });

  it('rejects malformed files with messages naming the source', () => {
    const kp = nacl.sign.keyPair();
    const good = Array.from(kp.secretKey);
    const cases: Array<[string, RegExp]> = [
      ['not json', /wallet\.json: not valid JSON/],
      ['{"a":1}', /wallet\.json: expected a JSON array of 64 integers 0\.\.255, got object/],
      ['null', /got null/],
      [JSON.stringify(good.slice(0, 63)), /got an array of 63 items/],
      [JSON.stringify([...good.slice(0, 63), 256]), /item 63 is 256/],
      [JSON.stringify([...good.slice(0, 63), -1]), /item 63 is -1/],
      [JSON.stringify([...good.slice(0, 63), 1.5]), /item 63 is 1\.5/],
      [JSON.stringify([...good.slice(0, 63), '1']), /item 63 is "1"/],
    ];
    for (const [text, re] of cases) {
      expect(() => parseKeypairJson(text, 'wallet.json')).toThrow(re);
    }
    const other = nacl.sign.keyPair();
    const mixed = JSON.stringify([...good.slice(0, 32), ...Array.from(other.publicKey)]);
    expect(() => parseKeypairJson(mixed, 'wallet.json')).toThrow(
      'wallet.json: public key half does not match its seed',
    );
    expect(() => parseKeypairJson('[]')).toThrow(/^keypair: /);
  });

  it('reports a missing file', () => {
    expect(() => readKeypairFile(join(dir, 'nope.json'))).toThrow(/nope\.json: cannot read keypair file \(ENOENT\)/);
  });
});
