import { defineMultiProcessSuite } from './multi-process-suite.js';

defineMultiProcessSuite('sqlite-file');
