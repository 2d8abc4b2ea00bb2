import { repoOf } from '../queue/todo-record.js';
import type { SwarmSpec } from '../../shared/swarm-spec.js';
import { cachedStatement } from '../db/statements.js';
import type { Core } from '../core.js';

/** What an auditor needs to check a submission independently. */
export interface AuditTask {
  auditId: number;
  dueAt: number;
  submission: {
    id: number;
    todoId: number;
    round: number;
    stakingKey: string;
    submissionCid: string;
    prUrl: string | null;
  };
  todo: { spec: SwarmSpec; repo: { owner: string; name: string } | null };
  /**
   * The coordinator's record of the claim this submission rests on: the submitter's completed
   * assignment of the todo, or null when the key never completed it.
   */
  assignment: { id: number; stakingKey: string; githubUsername: string | null; claimedAt: number; endedAt: number | null; prUrl: string | null } | null;
}

interface Row {
  audit_id: number;
  due_at: number;
  submission_id: number;
  todo_id: number;
  round: number;
  staking_key: string;
  submission_cid: string;
  pr_url: string | null;
  spec: string;
  repo_owner: string | null;
  repo_name: string | null;
  assignment_id: number | null;
  a_github: string | null;
  a_claimed_at: number | null;
  a_ended_at: number | null;
  a_pr_url: string | null;
}

/** The audits currently assigned to `auditorKey` (oldest first). Reading them changes nothing. */
export function claimAudits(core: Core, auditorKey: string, max: number, now = Date.now()): AuditTask[] {
  const rows = cachedStatement(
    core.sqlite,
    `SELECT au.id AS audit_id, au.due_at, s.id AS submission_id, s.todo_id, s.round, s.staking_key, s.submission_cid, s.pr_url,
       ts.spec, t.repo_owner, t.repo_name,
       a.id AS assignment_id, a.github_username AS a_github, a.claimed_at AS a_claimed_at, a.ended_at AS a_ended_at, a.pr_url AS a_pr_url
     FROM audits au
     JOIN submissions s ON s.id = au.submission_id
     JOIN todos t ON t.id = s.todo_id
     JOIN todo_specs ts ON ts.todo_id = t.id
     LEFT JOIN assignments a ON a.id = s.assignment_id AND a.staking_key = s.staking_key AND a.outcome = 'completed'
     WHERE au.auditor_key = ? AND au.status = 'assigned' AND au.due_at >= ?
     ORDER BY au.id LIMIT ?`,
  ).all(auditorKey, now, max) as Row[];
  return rows.map((row) => ({
    auditId: row.audit_id,
    dueAt: row.due_at,
    submission: {
      id: row.submission_id,
      todoId: row.todo_id,
      round: row.round,
      stakingKey: row.staking_key,
      submissionCid: row.submission_cid,
      prUrl: row.pr_url,
    },
    todo: {
      spec: JSON.parse(row.spec) as SwarmSpec,
      repo: repoOf(row),
    },
    assignment:
      row.assignment_id === null
        ? null
        : {
            id: row.assignment_id,
            stakingKey: row.staking_key,
            githubUsername: row.a_github,
            claimedAt: row.a_claimed_at!,
            endedAt: row.a_ended_at,
            prUrl: row.a_pr_url,
          },
  }));
}
