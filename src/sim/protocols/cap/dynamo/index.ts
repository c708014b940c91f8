export * from './dynamo';
export * from './scenarios';
export * from './types';
export * from './versions';
