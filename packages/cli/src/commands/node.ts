import { createNode, imagingFromDicomStore, loadNodeConfigFile } from '@fedhub/node/runtime';
import type { Command } from 'commander';
import { createLogger } from '../logger.js';
import { printJson } from '../output.js';
import { clientFromEnvironment } from '../session.js';
import { type DicomIntake, startDicomIntake } from './dicom.js';
import { registerNodeAdminCommands } from './node-admins.js';
import { registerNodeApprovalCommands } from './node-approvals.js';
import { registerNodePrivacyCommand } from './node-privacy.js';

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('run a hospital node (data station)');
  registerNodeApprovalCommands(node);
  registerNodeAdminCommands(node);
  registerNodePrivacyCommand(node);
  node
    .command('start')
    .description('start the node agent: it dials out to the hub and runs approved work on local data')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'print {"event":"connected","nodeId":...} on stdout when connected')
    .action(async (opts: { config: string; json?: boolean }) => {
      const config = loadNodeConfigFile(opts.config);
      const log = createLogger(config.log.level, 'node');
      // With a dicom: section the store opens beside the agent (and its listener, when configured); both stop
      // with the agent.
      const intake: DicomIntake | undefined = config.resolvedDicom
        ? await startDicomIntake(config.resolvedDicom, log.child({ component: 'dicom' }))
        : undefined;
      // Algorithms that read images (radiomics-extract) see the store's de-identified series.
      const agent = createNode({
        config,
        log,
        ...(intake
          ? {
              imaging: imagingFromDicomStore(intake.store, {
                structureNames: config.rt?.structureNames ?? {},
              }),
            }
          : {}),
      });
      const stop = () => {
        log.info('stopping: finishing the run in progress');
        void agent.stop();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      void agent.done.finally(() => intake?.close());
      try {
        await agent.start();
      } catch (err) {
        await intake?.close();
        throw err;
      }
      if (opts.json)
        process.stdout.write(`${JSON.stringify({ event: 'connected', nodeId: agent.nodeId })}\n`);
      else process.stdout.write(`fedhub node ${agent.nodeId} connected to ${config.hub.url}\n`);
      await agent.done;
    });
  node
    .command('enrol')
    .description('enrol with the hub using the one-time token in the config, then exit')
    .requiredOption('-c, --config <file>', 'node configuration (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { config: string; json?: boolean }) => {
      const config = loadNodeConfigFile(opts.config);
      const agent = createNode({ config, log: createLogger(config.log.level, 'node') });
      await agent.start();
      const nodeId = agent.nodeId;
      await agent.stop();
      if (opts.json) printJson({ nodeId });
      else process.stdout.write(`enrolled as node ${nodeId}; credentials saved in ${config.dataDir}\n`);
    });
  node
    .command('register')
    .description('register a node at the hub (operator or node-admin); prints its one-time enrolment token')
    .requiredOption('--collab <id>', 'collaboration id')
    .requiredOption('--org <id>', 'the hospital organisation id')
    .requiredOption('--name <name>', 'node name, e.g. the hospital')
    .option('--hub <url>')
    .option('--json', 'machine-readable output')
    .action(async (opts: { collab: string; org: string; name: string; hub?: string; json?: boolean }) => {
      const created = await clientFromEnvironment(opts).createNode({
        collaborationId: opts.collab,
        organisationId: opts.org,
        name: opts.name,
      });
      if (opts.json) printJson(created);
      else
        process.stdout.write(
          `node ${created.node.name}: ${created.node.id}\nOne-time enrolment token (valid until ${created.enrolmentExpiresAt}; put it in the node's config):\n${created.enrolmentToken}\n`,
        );
    });
}
