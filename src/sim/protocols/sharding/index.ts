export * from './scenarios';
export * from './sharding';
