export * from './read-replication';
export * from './scenarios';
