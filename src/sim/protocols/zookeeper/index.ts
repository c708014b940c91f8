export * from './scenarios';
export * from './zookeeper';
