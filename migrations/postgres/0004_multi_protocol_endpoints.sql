ALTER TABLE "channels" ADD COLUMN "endpoints" text;--> statement-breakpoint
ALTER TABLE "group_members" ADD COLUMN "protocol" text;