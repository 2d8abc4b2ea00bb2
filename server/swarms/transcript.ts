import type { SwarmHistoryEntry } from './types.js';

/**
 * The shared conversation of one run. Every message is kept; agents are shown renderings of
 * it ("role: content" blocks, as upstream's Conversation.get_str()), taken as snapshots before
 * a concurrent group starts so members of the group never see each other.
 */
export class Transcript {
  private readonly items: SwarmHistoryEntry[] = [];

  add(role: string, content: string): SwarmHistoryEntry {
    const entry = { role, content, timestamp: new Date().toISOString() };
    this.items.push(entry);
    return entry;
  }

  get length(): number {
    return this.items.length;
  }

  entries(): readonly SwarmHistoryEntry[] {
    return this.items;
  }

  /** Renders entries [from, to) — the whole transcript by default. */
  render(from = 0, to = this.items.length): string {
    return renderMessages(this.items.slice(from, to));
  }
}

export function renderMessages(messages: readonly { role: string; content: string }[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}
