ALTER TABLE "channels" ADD COLUMN "overrides" text;--> statement-breakpoint
ALTER TABLE "group_members" ADD COLUMN "overrides" text;--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "aliases" text;--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "patterns" text;