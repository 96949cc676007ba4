import { sqliteBackend } from '@fedhub/testkit/hub-harness';
import { defineSecuritySuite } from './security-suite.js';

defineSecuritySuite(sqliteBackend);
