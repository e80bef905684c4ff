-- CreateTable
CREATE TABLE "lead" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "phone" TEXT,
    "company" TEXT,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "estimated_value_minor" INTEGER,
    "estimated_value_currency" CHAR(3),
    "tags" TEXT[],
    "lost_reason" TEXT,
    "owner_id" UUID,
    "campaign_id" UUID,
    "enrichment" JSONB,
    "activity_count" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "converted_at" TIMESTAMPTZ(3),

    CONSTRAINT "lead_pkey" PRIMARY KEY ("tenant_id","id"),
    -- Rules Prisma cannot express: the database refuses what the domain would never write.
    CONSTRAINT "lead_status_check" CHECK ("status" IN ('NEW','CONTACTED','QUALIFIED','CONVERTED','LOST')),
    CONSTRAINT "lead_source_check" CHECK ("source" IN ('WEBSITE_FORM','REFERRAL','PAID_AD','SOCIAL','EVENT','COLD_OUTREACH','IMPORT','OTHER')),
    CONSTRAINT "lead_score_check" CHECK ("score" BETWEEN 0 AND 100),
    CONSTRAINT "lead_version_check" CHECK ("version" >= 1),
    CONSTRAINT "lead_activity_count_check" CHECK ("activity_count" >= 0),
    CONSTRAINT "lead_estimated_value_check" CHECK (
        ("estimated_value_minor" IS NULL) = ("estimated_value_currency" IS NULL) AND coalesce("estimated_value_minor", 0) >= 0)
);

-- CreateTable
CREATE TABLE "activity" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "lead_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "activity_pkey" PRIMARY KEY ("tenant_id","id"),
    CONSTRAINT "activity_type_check" CHECK ("type" IN ('NOTE','CALL','EMAIL','MEETING'))
);

-- CreateTable
CREATE TABLE "outbox" (
    "tenant_id" UUID NOT NULL,
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "aggregate_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "lead_snapshot" JSONB,
    "actor_id" UUID,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateIndex
CREATE INDEX "lead_tenant_id_created_at_id_idx" ON "lead"("tenant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "lead_tenant_id_updated_at_id_idx" ON "lead"("tenant_id", "updated_at", "id");

-- CreateIndex
CREATE INDEX "lead_tenant_id_score_id_idx" ON "lead"("tenant_id", "score", "id");

-- CreateIndex
CREATE INDEX "lead_tenant_id_owner_id_created_at_id_idx" ON "lead"("tenant_id", "owner_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "lead_tenant_id_status_idx" ON "lead"("tenant_id", "status");

-- CreateIndex
CREATE INDEX "lead_tenant_id_campaign_id_idx" ON "lead"("tenant_id", "campaign_id");

-- CreateIndex
CREATE UNIQUE INDEX "lead_tenant_id_email_key" ON "lead"("tenant_id", "email");

-- CreateIndex
CREATE INDEX "activity_tenant_id_lead_id_occurred_at_id_idx" ON "activity"("tenant_id", "lead_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "outbox_tenant_id_aggregate_id_version_idx" ON "outbox"("tenant_id", "aggregate_id", "version");

-- The relay's work queue: only unpublished rows, in commit order.
CREATE INDEX "outbox_unpublished_seq_idx" ON "outbox"("seq") WHERE "published_at" IS NULL;

-- AddForeignKey
ALTER TABLE "activity" ADD CONSTRAINT "activity_tenant_id_lead_id_fkey" FOREIGN KEY ("tenant_id", "lead_id") REFERENCES "lead"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Row-level security: the last line of tenant isolation. FORCE makes it bind
-- the table owner too; the runtime role owns nothing and bypasses nothing.
-- A transaction-local set_config reads back as '' on a pooled connection,
-- hence NULLIF: no tenant set means no rows, never all rows.
ALTER TABLE "lead" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "lead" FORCE ROW LEVEL SECURITY;
CREATE POLICY "lead_tenant_isolation" ON "lead"
    USING ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE "activity" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "activity" FORCE ROW LEVEL SECURITY;
CREATE POLICY "activity_tenant_isolation" ON "activity"
    USING ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE "outbox" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "outbox" FORCE ROW LEVEL SECURITY;
CREATE POLICY "outbox_tenant_isolation" ON "outbox"
    USING ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid)
    WITH CHECK ("tenant_id" = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);
