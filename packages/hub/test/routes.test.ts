import { sqliteBackend } from '@fedhub/testkit/hub-harness';
import { defineRouteSuite } from './route-suite.js';

defineRouteSuite(sqliteBackend);
