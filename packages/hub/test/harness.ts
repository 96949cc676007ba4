export * from '@fedhub/testkit/hub-harness'; // moved to @fedhub/testkit
