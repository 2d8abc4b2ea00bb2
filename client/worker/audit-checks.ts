import { cidForBytes, formatCid, parseCid } from '../../shared/cid.js';
import { sameGitHubName } from '../../shared/github/pr-url.js';
import { SubmissionRecordSchema, type LegacySubmissionRecord, type SubmissionRecord } from '../../shared/submission-schemas.js';
import { DEFAULT_SWARM_TYPE, normalizeSwarmType, type SwarmSpec, type SwarmType } from '../../shared/swarm-spec.js';
import type { SignedOutput } from '../signed-calls.js';
import { sha256Hex, verifySubmissionSignature } from './submission-record.js';
import { openLegacy } from '../../shared/envelope.js';

/**
 * The auditor's checks (DESIGN §4), as pure functions of what was fetched: each returns a pass
 * with a short note, or a failure with the reason the vote will carry. None of them fetches
 * anything, so a test can hand them tampered bytes directly.
 */

/** One audit assignment as `audits.claim` returns it. */
export type AuditTask = SignedOutput<'audits.claim'>[number];

export type CheckResult<T = undefined> = { ok: true; note: string; value: T } | { ok: false; reason: string };

const pass = <T>(note: string, value: T): CheckResult<T> => ({ ok: true, note, value });
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes are what the CID names: re-imported exactly as `ipfs add` does (Kubo defaults, the
 * CID's own version), they give the same CID. Independent of how the bytes were fetched.
 */
export async function checkCidMatchesBytes(cid: string, bytes: Uint8Array, what = 'content'): Promise<CheckResult> {
  let version: 0 | 1;
  try {
    version = parseCid(cid).version as 0 | 1;
  } catch {
    return fail(`${what} CID ${cid} is not a valid CID`);
  }
  const actual = await cidForBytes(bytes, { cidVersion: version });
  if (actual !== formatCid(cid)) return fail(`${what} bytes hash to ${actual}, not to the claimed CID ${cid}`);
  return pass(`${what} CID matches its bytes`, undefined);
}

function parseJsonBytes(bytes: Uint8Array, what: string): CheckResult<unknown> {
  try {
    return pass(`${what} is JSON`, JSON.parse(utf8Fatal.decode(bytes)) as unknown);
  } catch (error) {
    return fail(`${what} is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The stored `{record, signature}`: the submitter's signature over canonicalJson(record) as
 * stored, by the submission's staking key; the record names this task, this todo, this key, a
 * round no later than the submission's, and the same PR as the submission.
 */
export function checkSignedRecord(bytes: Uint8Array, task: AuditTask, expected: { taskId: string }): CheckResult<SubmissionRecord> {
  const json = parseJsonBytes(bytes, 'submission record');
  if (!json.ok) return json;
  const stored = json.value;
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return fail('submission record is not a JSON object');
  const { record: raw, signature } = stored as { record?: unknown; signature?: unknown };
  if (typeof raw !== 'object' || raw === null || typeof signature !== 'string') return fail('submission record lacks {record, signature}');
  const claimedKey = (raw as { stakingKey?: unknown }).stakingKey;
  if (claimedKey !== task.submission.stakingKey) {
    return fail(`record names staking key ${String(claimedKey)}, but the submission came from ${task.submission.stakingKey}`);
  }
  // Verify the record exactly as stored: schema parsing would drop unknown keys the signature covers.
  if (!verifySubmissionSignature(raw, signature)) return fail(`signature does not verify for ${task.submission.stakingKey} over the stored record`);
  const parsed = SubmissionRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`record is malformed: ${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'invalid'}`);
  }
  const record = parsed.data;
  if (record.taskId !== expected.taskId) return fail(`record is for task ${record.taskId}, not ${expected.taskId}`);
  if (record.todoId !== task.submission.todoId) return fail(`record is for todo ${record.todoId}, but was submitted for todo ${task.submission.todoId}`);
  if (record.round > task.submission.round) return fail(`record claims round ${record.round}, after the submission's round ${task.submission.round}`);
  if (task.submission.prUrl && record.prUrl !== task.submission.prUrl) {
    return fail(`submission names PR ${task.submission.prUrl}, the signed record ${record.prUrl ?? 'none'}`);
  }
  return pass(`signed by ${short(record.stakingKey)} (round ${record.round})`, record);
}

/** The coordinator's record of the claim: the submitter really held and completed this todo. */
export function checkAssignment(task: AuditTask, record: SubmissionRecord): CheckResult {
  const { assignment, submission } = task;
  if (!assignment) return fail(`todo ${submission.todoId} was never completed by ${submission.stakingKey} (no assignment on record)`);
  if (assignment.stakingKey !== submission.stakingKey) {
    return fail(`todo ${submission.todoId} was assigned to ${assignment.stakingKey}, not to the submitter ${submission.stakingKey}`);
  }
  if (assignment.endedAt === null) return fail(`assignment ${assignment.id} of todo ${submission.todoId} never ended`);
  if (assignment.githubUsername && record.githubUsername && !sameGitHubName(assignment.githubUsername, record.githubUsername)) {
    return fail(`todo was claimed as GitHub user ${assignment.githubUsername}, the record names ${record.githubUsername}`);
  }
  return pass(`assignment ${assignment.id} on record`, undefined);
}

/** The output bytes are the ones the submitter signed for (sha256) and parse as JSON. */
export function checkOutputBytes(bytes: Uint8Array, record: SubmissionRecord): CheckResult<unknown> {
  const digest = sha256Hex(bytes);
  if (digest !== record.outputSha256) return fail(`output sha256 is ${digest}, the signed record says ${record.outputSha256}`);
  const json = parseJsonBytes(bytes, 'output');
  if (!json.ok) return json;
  return pass('output sha256 matches', json.value);
}

// ---------------------------------------------------------------------------------------------
// Well-formedness of a swarm output
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const names = (list: unknown, key = 'agent_name'): string[] | null =>
  Array.isArray(list) && list.every((item) => isObject(item) && typeof item[key] === 'string') ? list.map((item) => (item as Json)[key] as string) : null;

/** Agents of an AgentRearrange flow ("A -> B, C"), in order of appearance. */
export function flowAgents(flow: string): string[] {
  return flow
    .split('->')
    .flatMap((step) => step.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

interface Team {
  type: SwarmType;
  agents: string[];
  flow: string | undefined;
}

/**
 * Who must have spoken, per swarm type: every agent, except where the type itself chooses —
 * the agents of the flow (AgentRearrange), the hand-offs (MultiAgentRouter), the director's
 * orders (HiearchicalSwarm), the generated team (AutoSwarmBuilder), the chosen type (auto).
 */
function requiredSpeakers(team: Team, output: Json, depth = 0): { ok: true; speakers: string[]; type: string } | { ok: false; reason: string } {
  switch (team.type) {
    case 'auto': {
      const chosen = isObject(output.auto) && typeof output.auto.chosen_type === 'string' ? normalizeSwarmType(output.auto.chosen_type) : undefined;
      if (!chosen || chosen === 'auto' || depth > 0) return { ok: false, reason: 'auto swarm output does not say which type ran (auto.chosen_type)' };
      const inner = requiredSpeakers({ ...team, type: chosen }, output, depth + 1);
      return inner.ok ? { ...inner, type: `auto → ${inner.type}` } : inner;
    }
    case 'AutoSwarmBuilder': {
      const generated = output.generated_spec;
      const agents = isObject(generated) ? names(generated.agents) : null;
      const type = isObject(generated) && typeof generated.swarm_type === 'string' ? normalizeSwarmType(generated.swarm_type) : undefined;
      if (!agents || agents.length === 0 || !type || type === 'auto' || type === 'AutoSwarmBuilder' || depth > 0) {
        return { ok: false, reason: 'AutoSwarmBuilder output lacks a usable generated_spec (agents and swarm_type)' };
      }
      const flow = isObject(generated) && typeof generated.rearrange_flow === 'string' ? generated.rearrange_flow : undefined;
      const inner = requiredSpeakers({ type, agents, flow }, output, depth + 1);
      return inner.ok ? { ...inner, type: `AutoSwarmBuilder → ${inner.type}` } : inner;
    }
    case 'AgentRearrange': {
      const speakers = team.flow ? [...new Set(flowAgents(team.flow))] : team.agents;
      return { ok: true, speakers, type: team.type };
    }
    case 'MultiAgentRouter': {
      const routing = output.routing;
      if (!Array.isArray(routing) || routing.length === 0) return { ok: false, reason: 'MultiAgentRouter output has no routing decisions' };
      const chosen = routing.flatMap((decision) => (isObject(decision) ? (names(decision.handoffs) ?? []) : []));
      if (chosen.length === 0) return { ok: false, reason: 'MultiAgentRouter output routed to no agent' };
      const unknown = chosen.find((name) => !team.agents.includes(name));
      if (unknown !== undefined) return { ok: false, reason: `router handed off to "${unknown}", which is not one of the swarm's agents` };
      return { ok: true, speakers: [...new Set(chosen)], type: team.type };
    }
    case 'HiearchicalSwarm': {
      const hierarchy = output.hierarchy;
      if (!Array.isArray(hierarchy) || hierarchy.length === 0) return { ok: false, reason: 'HiearchicalSwarm output has no director rounds' };
      const ordered = hierarchy.flatMap((round) => (isObject(round) ? (names(round.orders) ?? []) : []));
      if (ordered.length === 0) return { ok: false, reason: 'HiearchicalSwarm director gave no orders' };
      const unknown = ordered.find((name) => !team.agents.includes(name));
      if (unknown !== undefined) return { ok: false, reason: `director ordered "${unknown}", which is not one of the swarm's agents` };
      return { ok: true, speakers: [...new Set(ordered)], type: team.type };
    }
    default:
      return { ok: true, speakers: team.agents, type: team.type };
  }
}

/**
 * Is `output` a well-formed result of running `spec`? The engine's result shape (`output:
 * [{role, content}]`, `final`), the same task and swarm type, a non-empty `final`, and every
 * agent that must speak for this swarm type spoke at least once with non-empty content.
 */
export function checkSwarmOutput(spec: SwarmSpec, output: unknown): CheckResult {
  if (!isObject(output)) return fail('output is not a JSON object');
  const messages = output.output;
  if (!Array.isArray(messages) || !messages.every((m) => isObject(m) && typeof m.role === 'string' && typeof m.content === 'string')) {
    return fail('output.output is not a list of {role, content} messages');
  }
  if (typeof output.final !== 'string' || output.final.trim() === '') return fail('output has no final answer');
  if (output.task !== spec.task) return fail('output is for a different task than the todo');
  const declared: SwarmType = spec.swarm_type ?? DEFAULT_SWARM_TYPE;
  const reported = typeof output.swarm_type === 'string' ? normalizeSwarmType(output.swarm_type) : undefined;
  if (reported !== declared) return fail(`output is from a ${String(output.swarm_type)} swarm, the todo asks for ${declared}`);

  const required = requiredSpeakers({ type: declared, agents: spec.agents.map((a) => a.agent_name), flow: spec.rearrange_flow }, output);
  if (!required.ok) return fail(required.reason);
  const spoke = new Set((messages as { role: string; content: string }[]).filter((m) => m.content.trim() !== '').map((m) => m.role));
  const silent = required.speakers.filter((name) => !spoke.has(name));
  if (silent.length > 0) return fail(`${required.type}: ${silent.map((n) => `"${n}"`).join(', ')} never spoke`);
  return pass(`well-formed ${required.type}: ${required.speakers.length} agent${required.speakers.length === 1 ? '' : 's'} spoke, final present`, undefined);
}

function short(key: string): string {
  return key.length > 10 ? `${key.slice(0, 8)}…` : key;
}

export type LegacyRecord = LegacySubmissionRecord;

export function isLegacyRecordBytes(bytes: Uint8Array): boolean {
  const json = parseJsonBytes(bytes, 'submission record');
  return json.ok && typeof json.value === 'object' && json.value !== null && (json.value as { legacy?: unknown }).legacy === true;
}

/**
 * A Koii worker signs no record; its proof is its own attached signature (Koii namespace-wrapper
 * format) over the add-round-number request naming the PR. It must open with the submitter's key
 * and name this task, this key, this action and exactly the PR the coordinator recorded, and the
 * coordinator must have a completed assignment of this todo by that key with that PR.
 */
export function checkLegacyRecord(bytes: Uint8Array, task: AuditTask, expected: { taskId: string }): CheckResult<LegacyRecord> {
  const json = parseJsonBytes(bytes, 'legacy submission record');
  if (!json.ok) return json;
  const record = json.value as Partial<LegacyRecord>;
  const { submission, assignment } = task;
  if (record.todoId !== submission.todoId || record.stakingKey !== submission.stakingKey) {
    return fail(`legacy record names todo ${String(record.todoId)} by ${String(record.stakingKey)}, not this submission's`);
  }
  if (record.taskId !== expected.taskId) return fail(`legacy record is for task ${String(record.taskId)}, not ${expected.taskId}`);
  const signature = record.signedRequest?.signature;
  if (typeof signature !== 'string' || typeof record.prUrl !== 'string') return fail('legacy record lacks the signed request or PR URL');
  const opened = openLegacy(signature, submission.stakingKey);
  if (!opened.ok) return fail(`the worker's signed request does not open with its key (${opened.reason})`);
  const payload = opened.data as { taskId?: unknown; action?: unknown; stakingKey?: unknown; prUrl?: unknown };
  if (payload.action !== 'add-round-number' || payload.taskId !== expected.taskId || payload.stakingKey !== submission.stakingKey) {
    return fail('the signed request is not this worker’s add-round-number for this task');
  }
  if (payload.prUrl !== record.prUrl) return fail(`the worker signed PR ${String(payload.prUrl)}, the record names ${record.prUrl}`);
  if (!assignment || assignment.stakingKey !== submission.stakingKey) return fail(`todo ${submission.todoId} was never completed by ${submission.stakingKey}`);
  if (assignment.prUrl !== record.prUrl) return fail(`the coordinator recorded PR ${String(assignment.prUrl)}, not ${record.prUrl}`);
  return pass('legacy worker signature over its PR claim verifies; assignment on record', record as LegacyRecord);
}
