-- Increment 2a: editLeadActivity stamps the activity it corrects (Activity.editedAt).
-- Nullable, no default: existing rows were never edited, and adding it rewrites nothing.
ALTER TABLE "activity" ADD COLUMN "edited_at" TIMESTAMPTZ(3);
