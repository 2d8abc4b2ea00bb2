CREATE TABLE `swarm_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`api_key_id` text,
	`kind` text DEFAULT 'swarm' NOT NULL,
	`swarm_name` text,
	`swarm_type` text,
	`status` text NOT NULL,
	`request` text NOT NULL,
	`result` text,
	`error` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micro_usd` integer DEFAULT 0 NOT NULL,
	`execution_ms` integer,
	`cached` integer DEFAULT 0 NOT NULL,
	`schedule_id` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `swarm_runs_key_idx` ON `swarm_runs` (`api_key_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `swarm_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`api_key_id` text,
	`spec` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`run_id` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `swarm_schedules_due_idx` ON `swarm_schedules` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `audits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`submission_id` integer NOT NULL,
	`auditor_key` text NOT NULL,
	`round` integer NOT NULL,
	`status` text DEFAULT 'assigned' NOT NULL,
	`assigned_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`vote` text,
	`reason` text,
	`signed_vote` text,
	`voted_at` integer
);
--> statement-breakpoint
CREATE INDEX `audits_auditor_idx` ON `audits` (`auditor_key`,`status`);--> statement-breakpoint
CREATE INDEX `audits_submission_idx` ON `audits` (`submission_id`);--> statement-breakpoint
CREATE INDEX `audits_due_idx` ON `audits` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staking_key` text NOT NULL,
	`round` integer,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`submission_id` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_key_idx` ON `ledger` (`staking_key`);--> statement-breakpoint
CREATE TABLE `legacy_requests` (
	`signature_hash` text PRIMARY KEY NOT NULL,
	`staking_key` text NOT NULL,
	`action` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `payouts` (
	`round` integer NOT NULL,
	`staking_key` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`round`, `staking_key`)
);
--> statement-breakpoint
CREATE TABLE `rounds` (
	`number` integer PRIMARY KEY NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`distribution_cid` text,
	`distribution_signature` text,
	`tallied_at` integer
);
--> statement-breakpoint
CREATE TABLE `submissions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`todo_id` integer NOT NULL,
	`assignment_id` integer,
	`round` integer NOT NULL,
	`staking_key` text NOT NULL,
	`submission_cid` text NOT NULL,
	`result_cid` text,
	`pr_url` text,
	`output_sha256` text,
	`record` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`approvals` integer DEFAULT 0 NOT NULL,
	`rejections` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `submissions_cid_idx` ON `submissions` (`submission_cid`);--> statement-breakpoint
CREATE INDEX `submissions_round_idx` ON `submissions` (`round`,`status`);--> statement-breakpoint
CREATE INDEX `submissions_todo_idx` ON `submissions` (`todo_id`);--> statement-breakpoint
CREATE TABLE `todo_errors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`todo_id` integer,
	`bounty_id` text,
	`staking_key` text NOT NULL,
	`error` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `todo_errors_todo_idx` ON `todo_errors` (`todo_id`);--> statement-breakpoint
ALTER TABLE `todos` ADD `round` integer;