export * from './hashes';
