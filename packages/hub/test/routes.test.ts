import { sqliteBackend } from './harness.js';
import { defineRouteSuite } from './route-suite.js';

defineRouteSuite(sqliteBackend);
