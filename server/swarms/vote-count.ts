/**
 * An answer's vote is its last non-empty line, normalized so formatting does not split votes:
 * markdown emphasis and a leading "Answer:"/"Final answer:"/"Vote:" label are dropped, case
 * and inner whitespace are folded, trailing punctuation is removed.
 */
export function normalizeVote(answer: string): string {
  const lines = answer.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  let vote = lines.at(-1) ?? '';
  vote = vote.replace(/[*_`#>]/g, '').trim();
  vote = vote.replace(/^(final answer|answer|vote|my vote|my answer)\s*[:\-–]\s*/i, '');
  vote = vote.toLowerCase().replace(/\s+/g, ' ').replace(/[\s.!?;:,]+$/, '').trim();
  return vote;
}

export interface Tally {
  /** Vote → count, most votes first (ties in order of first appearance). */
  counts: Record<string, number>;
  winner: string | null;
  /** The tied answers when the top count is shared; null when there is a winner or no votes. */
  tie: string[] | null;
}

export function tallyVotes(votes: readonly string[]): Tally {
  const counts = new Map<string, number>();
  for (const vote of votes) counts.set(vote, (counts.get(vote) ?? 0) + 1);
  // Array.prototype.sort is stable, so equal counts keep first-appearance order.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const top = ranked[0]?.[1] ?? 0;
  const leaders = ranked.filter(([, count]) => count === top).map(([vote]) => vote);
  return {
    counts: Object.fromEntries(ranked),
    winner: leaders.length === 1 ? leaders[0]! : null,
    tie: leaders.length > 1 ? leaders : null,
  };
}
