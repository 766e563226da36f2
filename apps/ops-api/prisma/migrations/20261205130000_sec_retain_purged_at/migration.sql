-- AlterTable
ALTER TABLE "Ticket" ADD COLUMN     "purgedAt" TIMESTAMPTZ(3);
