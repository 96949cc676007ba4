import { sqliteBackend } from '@fedhub/testkit/hub-harness';
import { modelRegistryTests } from './suite-models.js';

modelRegistryTests(sqliteBackend);
