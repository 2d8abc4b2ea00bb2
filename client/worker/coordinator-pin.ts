import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StakingKeySchema } from '../../shared/envelope.js';

/**
 * Trust on first use for the key that signs a coordinator's payout lists, as SSH does for host
 * keys: the first key a task's coordinator announces is kept in the worker's data dir, and from
 * then on payout lists must be signed by it. A coordinator that later announces another key is
 * refused at start until the node's operator accepts the new key with --coordinator-key;
 * otherwise lists signed by whatever key is announced today would "verify" whatever they say.
 */

export const COORDINATOR_KEYS_FILE = 'coordinator-keys.json';

export type PinSource = 'first contact' | 'operator';

const PinSchema = z.object({ key: StakingKeySchema, source: z.enum(['first contact', 'operator']), pinnedAt: z.iso.datetime() });
const PinFileSchema = z.record(z.string().min(1), PinSchema);

export type CoordinatorKeyPin = z.infer<typeof PinSchema>;

/** The coordinator announces another key than the one pinned (or given): the worker does not start. */
export class CoordinatorKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoordinatorKeyMismatchError';
  }
}

export interface PinInputs {
  taskId: string;
  /** What this data dir pinned for the task before, if anything. */
  pinned: CoordinatorKeyPin | undefined;
  /** What the coordinator announces now (absent from older coordinators). */
  announced: string | undefined;
  /** What the node's operator says it must be (--coordinator-key). */
  given: string | undefined;
  file: string;
}

export interface PinDecision {
  /** The key payout lists must be signed by; null when nobody names one (an older coordinator, nothing pinned). */
  key: string | null;
  /** A pin to write (and announce): the first contact, or the operator's new word. */
  write?: { key: string; source: PinSource; previous: string | null };
}

const short = (key: string) => `${key.slice(0, 8)}…`;

/** What to trust, given the pin, the announcement and the operator's flag; throws when they disagree. */
export function decideCoordinatorKey({ taskId, pinned, announced, given, file }: PinInputs): PinDecision {
  if (given !== undefined) {
    if (announced !== undefined && announced !== given) {
      throw new CoordinatorKeyMismatchError(
        `the coordinator announces signing key ${announced}, not ${given} (--coordinator-key): either this is not the coordinator you meant, or its key is not the one its operator told you`,
      );
    }
    return pinned?.key === given ? { key: given } : { key: given, write: { key: given, source: 'operator', previous: pinned?.key ?? null } };
  }
  if (pinned !== undefined) {
    if (announced !== undefined && announced !== pinned.key) {
      throw new CoordinatorKeyMismatchError(
        `the coordinator of task ${taskId} now announces signing key ${announced}, but this worker pinned ${pinned.key} ` +
          `(${pinned.source}, ${pinned.pinnedAt}; ${file}). Payout lists it signs with another key could say anything. ` +
          `If its operator changed the key on purpose (ask them), accept it with --coordinator-key ${announced}`,
      );
    }
    return { key: pinned.key };
  }
  if (announced !== undefined) return { key: announced, write: { key: announced, source: 'first contact', previous: null } };
  return { key: null };
}

/** The pins kept in `<dataDir>/coordinator-keys.json`, by task id (none when the file is absent). */
export function readCoordinatorPins(dataDir: string): Record<string, CoordinatorKeyPin> {
  const file = join(dataDir, COORDINATOR_KEYS_FILE);
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): fix it, or delete it to pin the coordinator's key afresh`);
  }
  const result = PinFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}; fix it, or delete it to pin the coordinator's key afresh`);
  }
  return result.data;
}

/** Writes one task's pin, keeping the others (written whole and renamed into place: never half a file). */
export function writeCoordinatorPin(dataDir: string, taskId: string, pin: CoordinatorKeyPin): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, COORDINATOR_KEYS_FILE);
  const pins = { ...readCoordinatorPins(dataDir), [taskId]: pin };
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(pins, null, 2)}\n`);
  renameSync(partial, file);
}

export interface PinnedKey {
  key: string | null;
  /** Set when a pin was written now. */
  pinned?: { key: string; source: PinSource; previous: string | null };
}

/** Reads the task's pin, decides (throwing CoordinatorKeyMismatchError on disagreement) and records a new pin. */
export function pinCoordinatorKey(dataDir: string, taskId: string, announced: string | undefined, given: string | undefined, now = new Date()): PinnedKey {
  const file = join(dataDir, COORDINATOR_KEYS_FILE);
  const decision = decideCoordinatorKey({ taskId, pinned: readCoordinatorPins(dataDir)[taskId], announced, given, file });
  if (!decision.write) return { key: decision.key };
  writeCoordinatorPin(dataDir, taskId, { key: decision.write.key, source: decision.write.source, pinnedAt: now.toISOString() });
  return { key: decision.key, pinned: decision.write };
}

/** One line for the event a new pin raises. */
export function describePin(taskId: string, pin: { key: string; source: PinSource; previous: string | null }): string {
  const how =
    pin.source === 'first contact'
      ? 'first contact'
      : pin.previous
        ? `set by --coordinator-key, replacing ${short(pin.previous)}`
        : 'set by --coordinator-key';
  return `pinned coordinator signing key ${pin.key} for task ${taskId} (${how}): payout lists must be signed by it`;
}
