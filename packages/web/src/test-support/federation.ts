export * from '@fedhub/testkit/web-federation'; // moved to @fedhub/testkit
