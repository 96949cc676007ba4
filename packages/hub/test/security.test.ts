import { sqliteBackend } from './harness.js';
import { defineSecuritySuite } from './security-suite.js';

defineSecuritySuite(sqliteBackend);
