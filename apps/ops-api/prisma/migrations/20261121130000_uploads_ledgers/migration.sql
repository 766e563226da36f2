-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "batchLimits" JSONB,
ADD COLUMN     "checksReport" JSONB,
ADD COLUMN     "expectedDocumentBytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "expectedDocuments" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastActivityAt" TIMESTAMPTZ(3),
ADD COLUMN     "plan" JSONB,
ADD COLUMN     "uploadCompletedAt" TIMESTAMPTZ(3),
ADD COLUMN     "uploadStartedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "TableUpload" (
    "ticketId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "expectedRows" BIGINT NOT NULL DEFAULT 0,
    "schema" JSONB,
    "sourceBatches" INTEGER,
    "sourceRows" BIGINT,
    "sourceHash" TEXT,
    "completedAt" TIMESTAMPTZ(3),
    "verified" BOOLEAN,
    "verificationMessage" TEXT,

    CONSTRAINT "TableUpload_pkey" PRIMARY KEY ("ticketId","name")
);

-- CreateTable
CREATE TABLE "BatchUpload" (
    "ticketId" UUID NOT NULL,
    "tableName" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "storedBytes" INTEGER NOT NULL,
    "blobKey" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BatchUpload_pkey" PRIMARY KEY ("ticketId","tableName","sequence")
);

-- CreateTable
CREATE TABLE "DocumentUpload" (
    "ticketId" UUID NOT NULL,
    "documentId" INTEGER NOT NULL,
    "relativePath" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "blobKey" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "storedAt" TIMESTAMPTZ(3),

    CONSTRAINT "DocumentUpload_pkey" PRIMARY KEY ("ticketId","documentId")
);

-- CreateTable
CREATE TABLE "MissingDocument" (
    "ticketId" UUID NOT NULL,
    "documentId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "relativePath" TEXT,
    "reason" TEXT NOT NULL,
    "reportedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MissingDocument_pkey" PRIMARY KEY ("ticketId","documentId")
);

-- CreateIndex
CREATE INDEX "BatchUpload_ticketId_importedAt_idx" ON "BatchUpload"("ticketId", "importedAt");

-- AddForeignKey
ALTER TABLE "TableUpload" ADD CONSTRAINT "TableUpload_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchUpload" ADD CONSTRAINT "BatchUpload_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentUpload" ADD CONSTRAINT "DocumentUpload_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MissingDocument" ADD CONSTRAINT "MissingDocument_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

