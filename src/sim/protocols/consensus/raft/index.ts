/**
 * Raft: the protocol object and its building blocks. The leader-election experiment
 * (experiment.ts) is not re-exported here, so the catalog can import this file without
 * importing the kernel.
 */

export { RAFT_INVARIANTS } from './invariants';
export { raft } from './raft';
export { RAFT_LATENCY, type RaftScenarioOptions, raftScenario, raftTopology, serverIds } from './scenario';
export * from './types';
