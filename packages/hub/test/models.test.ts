import { sqliteBackend } from './harness.js';
import { modelRegistryTests } from './suite-models.js';

modelRegistryTests(sqliteBackend);
