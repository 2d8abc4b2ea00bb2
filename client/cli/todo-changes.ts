import { formatSwarms } from '../../shared/swarms-units.js';

/** A `todos.update` answer's `changes` (and the `todo.updated` event's), as the CLI receives them. */
export interface TodoChangesLike {
  priority?: { from: number; to: number } | undefined;
  reward?: { from: number; to: number } | undefined;
  availableAt?: { from: number; to: number } | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `priority 0 → 5, reward 400 SWARMS → 800 SWARMS, claimable from … (was …)`; empty when nothing changed. */
export function describeTodoChanges(changes: TodoChangesLike, now = Date.now()): string {
  const parts: string[] = [];
  if (changes.priority) parts.push(`priority ${changes.priority.from} → ${changes.priority.to}`);
  if (changes.reward) parts.push(`reward ${formatSwarms(changes.reward.from)} → ${formatSwarms(changes.reward.to)}`);
  if (changes.availableAt) {
    const { from, to } = changes.availableAt;
    parts.push(`${to <= now ? 'claimable now' : `claimable from ${iso(to)}`} (was ${from <= now ? 'claimable' : iso(from)})`);
  }
  return parts.join(', ');
}
