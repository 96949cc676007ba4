export * from '@fedhub/testkit/federation-setup'; // moved to @fedhub/testkit
