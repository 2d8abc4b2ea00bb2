-- Counts of todos per status, kept by triggers (see todoStatusCounts in server/db/schema/queue.ts).
INSERT INTO `todo_status_counts` (`status`, `n`) SELECT `status`, count(*) FROM `todos` GROUP BY `status`;
--> statement-breakpoint
CREATE TRIGGER `todos_count_insert` AFTER INSERT ON `todos` BEGIN
  INSERT INTO `todo_status_counts` (`status`, `n`) VALUES (new.`status`, 1)
    ON CONFLICT (`status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `todos_count_update` AFTER UPDATE OF `status` ON `todos` WHEN old.`status` IS NOT new.`status` BEGIN
  UPDATE `todo_status_counts` SET `n` = `n` - 1 WHERE `status` = old.`status`;
  INSERT INTO `todo_status_counts` (`status`, `n`) VALUES (new.`status`, 1)
    ON CONFLICT (`status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `todos_count_delete` AFTER DELETE ON `todos` BEGIN
  UPDATE `todo_status_counts` SET `n` = `n` - 1 WHERE `status` = old.`status`;
END;
