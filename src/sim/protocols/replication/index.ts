export { currentLeader, lostWrites } from './cluster-view';
export { replicationTopology } from './lesson';
export * from './read-replication';
export * from './scenarios';
export * from './types';
