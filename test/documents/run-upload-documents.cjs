// The agent's document uploader in a process of its own, so a test can
// SIGKILL it mid-document and start it again. Options come as JSON in
// argv[2]; the manifest is read from the API as the agent would. Prints one
// JSON line per progress report and a last line with the result.
const path = require('node:path');
const { uploadDocuments } = require(
  path.resolve(__dirname, '../../apps/agent/dist/upload/documents/upload-documents.js'),
);

async function main() {
  const options = JSON.parse(process.argv[2]);
  const session = await fetch(`${options.apiUrl}/api/agent/session`, {
    headers: { authorization: `Bearer ${options.agentToken}` },
  });
  if (!session.ok) throw new Error(`session: ${session.status} ${await session.text()}`);
  const { manifest } = await session.json();
  const result = await uploadDocuments({
    ...options,
    manifest,
    onProgress: (progress) => process.stdout.write(`${JSON.stringify({ progress })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ result })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
