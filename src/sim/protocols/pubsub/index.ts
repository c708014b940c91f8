export * from './pubsub';
export * from './scenarios';
export * from './types';
