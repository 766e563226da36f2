-- Batches sent in parts, and the rows each batch holds (so a resume may cut what is left with other limits).
ALTER TABLE "BatchUpload" ADD COLUMN "parts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "firstRow" BIGINT;

-- Until now sequences were contiguous and cut with one set of limits: a batch starts after the rows of those before it.
UPDATE "BatchUpload" b SET "firstRow" = s.first_row
FROM (
  SELECT "ticketId", "tableName", sequence,
         coalesce(sum(rows) OVER (PARTITION BY "ticketId", "tableName" ORDER BY sequence
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS first_row
  FROM "BatchUpload"
) s
WHERE s."ticketId" = b."ticketId" AND s."tableName" = b."tableName" AND s.sequence = b.sequence;
