/**
 * The browser project's shared federation in a process of its own (started by ./browser-global-setup.ts):
 * a hub and three nodes doing real work would otherwise share vitest's main process, which also serves
 * every test worker's module transforms, and slow every file down. Runs the compiled packages (the
 * browser project needs `npm run build` first). Usage: node federation-process.mjs <work folder>.
 * Prints one JSON line (the accounts, ids and enrolled admin keys), then runs until SIGTERM.
 */
import { startTestFederation } from '@fedhub/testkit/web-federation';

const work = process.argv[2];
if (!work) {
  process.stderr.write('usage: node federation-process.mjs <work folder>\n');
  process.exit(2);
}
// the radiotherapy, dose and imaging data of the forms test (12 DICOM patients per node: at least the
// nodes' minimum subset of 10)
const fed = await startTestFederation(work, 400, { loginRateLimitPerMinute: 10_000, rtPatients: 12 });
process.stdout.write(
  `${JSON.stringify({
    hubUrl: fed.hubUrl,
    collaborationName: fed.collaborationName,
    researcher: fed.researcher,
    auditor: fed.auditor,
    nodeAdmins: fed.nodeAdmins,
    nodeNames: fed.nodeNames,
    admin: fed.admin,
    collaborationId: fed.collaborationId,
    nodeIds: fed.nodeIds,
    organisationIds: fed.organisationIds,
    adminKeyPems: fed.nodeIds.map((_, i) => fed.adminKeyPem(i)),
  })}\n`,
);
let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await fed.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// the parent's end closes stdin: never outlive the test run
process.stdin.on('end', stop);
process.stdin.resume();
