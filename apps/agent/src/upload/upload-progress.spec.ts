import { UploadProgress } from './upload-progress';
import { formatProgressLine } from './progress-view';

it('measures the documents phase by bytes: done, and a rate and ETA of its own', () => {
  let now = 0;
  const progress = new UploadProgress(() => now);
  progress.expectTables(1, 100);
  progress.expectDocuments(4, 1000);
  progress.addRows(100, 5000, 1000, false);
  progress.tableDone();
  now = 60_000; // the tables took a minute: not part of the documents' rate
  progress.setPhase('documents');
  progress.documentsProgressed({ documents: { done: 1, total: 4 }, bytes: { done: 200, total: 1000 } });
  expect(progress.snapshot()).toMatchObject({ documentBytes: { done: 200, total: 1000 }, etaSeconds: null });
  now = 62_000;
  progress.documentsProgressed({ documents: { done: 2, total: 4 }, bytes: { done: 400, total: 1000 } });
  const snapshot = progress.snapshot();
  expect(snapshot).toMatchObject({ documents: { done: 2, total: 4 }, documentBytesPerSecond: 200, etaSeconds: 3 });
  expect(formatProgressLine(snapshot)).toBe('documents: 2/4, 400 B of 1000 B (40 %), ETA 3 s');
});
