export * from './pubsub';
export * from './types';
