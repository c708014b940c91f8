export * from './locks-view';
export * from './paxos-commit';
export * from './scenarios';
