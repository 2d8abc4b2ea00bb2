import { describe, expect, it } from 'vitest';
import {
  checkAssignment,
  checkCidMatchesBytes,
  checkOutputBytes,
  checkSignedRecord,
  checkSwarmOutput,
  type AuditTask,
} from '../../client/worker/audit-checks.js';
import { createModelJudge } from '../../client/worker/audit.js';
import { encodeSignedSubmission, sha256Hex, signSubmissionRecord, verifySubmissionSignature } from '../../client/worker/submission-record.js';
import { createProviderRegistry, runSwarm } from '../../server/swarms/index.js';
import { cidForBytes } from '../../shared/cid.js';
import { generateKeypair } from '../../shared/keypair.js';
import type { SubmissionRecord } from '../../shared/submission-schemas.js';
import { specFor } from './swarm-specs.js';

const utf8 = new TextEncoder();
const TASK = 'test-task';
const providers = createProviderRegistry({ env: {}, modelMap: '*=offline' });

/** An honest worker's proof for todo 7 in round 3, and the audit task the coordinator would hand out for it. */
async function honestSubmission() {
  const submitter = generateKeypair();
  const spec = specFor('ConcurrentWorkflow');
  const result = await runSwarm(spec, { providers });
  const outputBytes = utf8.encode(JSON.stringify(result));
  const resultCid = await cidForBytes(outputBytes);
  const record: SubmissionRecord = {
    taskId: TASK,
    todoId: 7,
    round: 3,
    stakingKey: submitter.publicKeyBase58,
    resultCid,
    outputSha256: sha256Hex(outputBytes),
    usage: { inputTokens: result.usage.input_tokens, outputTokens: result.usage.output_tokens },
  };
  const recordBytes = encodeSignedSubmission(signSubmissionRecord(record, submitter));
  const submissionCid = await cidForBytes(recordBytes);
  const task: AuditTask = {
    auditId: 1,
    dueAt: Date.now() + 60_000,
    submission: { id: 5, todoId: 7, round: 3, stakingKey: submitter.publicKeyBase58, submissionCid, prUrl: null },
    todo: { spec, repo: null },
    assignment: { id: 11, stakingKey: submitter.publicKeyBase58, githubUsername: null, claimedAt: Date.now() - 5000, endedAt: Date.now() - 1000, prUrl: null },
  };
  return { submitter, spec, record, outputBytes, resultCid, recordBytes, submissionCid, task };
}

/** The stored JSON with a change applied to it. */
function edit(bytes: Uint8Array, change: (stored: { record: Record<string, unknown>; signature: string }) => void): Uint8Array {
  const stored = JSON.parse(new TextDecoder().decode(bytes)) as { record: Record<string, unknown>; signature: string };
  change(stored);
  return utf8.encode(JSON.stringify(stored));
}

describe('auditor checks (pure)', () => {
  it('pass for an honest submission', async () => {
    const s = await honestSubmission();
    expect(await checkCidMatchesBytes(s.submissionCid, s.recordBytes)).toMatchObject({ ok: true });
    const signed = checkSignedRecord(s.recordBytes, s.task, { taskId: TASK });
    expect(signed).toMatchObject({ ok: true, value: s.record });
    expect(checkAssignment(s.task, s.record)).toMatchObject({ ok: true, note: 'assignment 11 on record' });
    expect(await checkCidMatchesBytes(s.resultCid, s.outputBytes)).toMatchObject({ ok: true });
    const output = checkOutputBytes(s.outputBytes, s.record);
    expect(output).toMatchObject({ ok: true });
    expect(checkSwarmOutput(s.spec, output.ok ? output.value : null)).toMatchObject({ ok: true });
  });

  it('reject an output tampered with after signing', async () => {
    const s = await honestSubmission();
    const result = JSON.parse(new TextDecoder().decode(s.outputBytes)) as { final: string };
    result.final = 'Buy everything.';
    const tampered = utf8.encode(JSON.stringify(result));
    expect(checkOutputBytes(tampered, s.record)).toEqual({
      ok: false,
      reason: `output sha256 is ${sha256Hex(tampered)}, the signed record says ${s.record.outputSha256}`,
    });
    // Served under the honest CID, the bytes no longer hash to it either.
    expect(await checkCidMatchesBytes(s.resultCid, tampered, 'output')).toMatchObject({ ok: false, reason: expect.stringContaining('not to the claimed CID') });
  });

  it('reject a forged CID: bytes that do not hash to the CID they are offered under', async () => {
    const s = await honestSubmission();
    const other = encodeSignedSubmission(signSubmissionRecord({ ...s.record, todoId: 8 }, s.submitter));
    const check = await checkCidMatchesBytes(s.submissionCid, other, 'submission');
    expect(check).toEqual({ ok: false, reason: `submission bytes hash to ${await cidForBytes(other)}, not to the claimed CID ${s.submissionCid}` });
    expect(await checkCidMatchesBytes('not-a-cid', s.recordBytes)).toMatchObject({ ok: false, reason: expect.stringContaining('not a valid CID') });
    // CIDv0 spelling of the same bytes is checked as CIDv0.
    const v0 = await cidForBytes(s.recordBytes, { cidVersion: 0 });
    expect(await checkCidMatchesBytes(v0, s.recordBytes)).toMatchObject({ ok: true });
  });

  it('reject a forged signature: a record changed after signing, or signed by another key', async () => {
    const s = await honestSubmission();
    const changed = edit(s.recordBytes, (stored) => {
      stored.record.resultCid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
    });
    expect(checkSignedRecord(changed, s.task, { taskId: TASK })).toEqual({
      ok: false,
      reason: `signature does not verify for ${s.submitter.publicKeyBase58} over the stored record`,
    });

    const mallory = generateKeypair();
    const byMallory = encodeSignedSubmission(signSubmissionRecord({ ...s.record, stakingKey: mallory.publicKeyBase58 }, mallory));
    expect(checkSignedRecord(byMallory, s.task, { taskId: TASK })).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`record names staking key ${mallory.publicKeyBase58}`),
    });
    // Mallory's signature under the submitter's name.
    const impostor = edit(byMallory, (stored) => {
      stored.record.stakingKey = s.submitter.publicKeyBase58;
    });
    expect(checkSignedRecord(impostor, s.task, { taskId: TASK })).toMatchObject({ ok: false, reason: expect.stringContaining('signature does not verify') });
    // An extra field the signature does not cover is caught, though the schema would strip it.
    const extra = edit(s.recordBytes, (stored) => {
      stored.record.bonus = 1;
    });
    expect(checkSignedRecord(extra, s.task, { taskId: TASK })).toMatchObject({ ok: false, reason: expect.stringContaining('signature does not verify') });
    expect(verifySubmissionSignature(s.record, 'x'.repeat(88))).toBe(false);
  });

  it('reject a submission for a todo the key never held', async () => {
    const s = await honestSubmission();
    expect(checkAssignment({ ...s.task, assignment: null }, s.record)).toEqual({
      ok: false,
      reason: `todo 7 was never completed by ${s.submitter.publicKeyBase58} (no assignment on record)`,
    });
    const someoneElse = generateKeypair().publicKeyBase58;
    expect(checkAssignment({ ...s.task, assignment: { ...s.task.assignment!, stakingKey: someoneElse } }, s.record)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`assigned to ${someoneElse}`),
    });
    expect(checkAssignment({ ...s.task, assignment: { ...s.task.assignment!, endedAt: null } }, s.record)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('never ended'),
    });
  });

  it('reject a record for another todo, task, a later round, or another PR', async () => {
    const s = await honestSubmission();
    const otherTodo = { ...s.task, submission: { ...s.task.submission, todoId: 8 } };
    expect(checkSignedRecord(s.recordBytes, otherTodo, { taskId: TASK })).toMatchObject({ ok: false, reason: 'record is for todo 7, but was submitted for todo 8' });
    expect(checkSignedRecord(s.recordBytes, s.task, { taskId: 'other-task' })).toMatchObject({ ok: false, reason: 'record is for task test-task, not other-task' });
    const earlier = { ...s.task, submission: { ...s.task.submission, round: 2 } };
    expect(checkSignedRecord(s.recordBytes, earlier, { taskId: TASK })).toMatchObject({ ok: false, reason: expect.stringContaining('after the submission') });
    const withPr = { ...s.task, submission: { ...s.task.submission, prUrl: 'https://github.com/acme/widgets/pull/1' } };
    expect(checkSignedRecord(s.recordBytes, withPr, { taskId: TASK })).toMatchObject({ ok: false, reason: expect.stringContaining('the signed record none') });
    expect(checkSignedRecord(utf8.encode('not json'), s.task, { taskId: TASK })).toMatchObject({ ok: false, reason: expect.stringContaining('not UTF-8 JSON') });
  });

  it('the optional judge model: an answer without a clear APPROVE is a reject', async () => {
    const s = await honestSubmission();
    const judge = createModelJudge(providers, 'gpt-4o'); // offline: it never says APPROVE
    const output = JSON.parse(new TextDecoder().decode(s.outputBytes)) as unknown;
    const opinion = await judge({ spec: s.spec, output, record: s.record }, new AbortController().signal);
    expect(opinion).toMatchObject({ approve: false, reason: expect.stringContaining('no APPROVE/REJECT verdict') });
  });
});
