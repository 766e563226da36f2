-- AlterTable
ALTER TABLE "TableUpload" ADD COLUMN     "structureMessage" TEXT,
ADD COLUMN     "structureVerified" BOOLEAN,
ADD COLUMN     "structureWarnings" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "structureFinishedAt" TIMESTAMPTZ(3),
ADD COLUMN     "structureStartedAt" TIMESTAMPTZ(3);
