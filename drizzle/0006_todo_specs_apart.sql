CREATE TABLE `todo_specs` (
	`todo_id` integer PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	FOREIGN KEY (`todo_id`) REFERENCES `todos`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `todos` ADD `swarm_type` text;--> statement-breakpoint
-- Existing todos keep their specs: moved, not lost.
INSERT INTO `todo_specs` (`todo_id`, `spec`) SELECT `id`, `spec` FROM `todos`;--> statement-breakpoint
UPDATE `todos` SET `swarm_type` = json_extract(`spec`, '$.swarm_type');--> statement-breakpoint
ALTER TABLE `todos` DROP COLUMN `spec`;