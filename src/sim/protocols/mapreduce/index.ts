export * from './jobs';
export * from './mapreduce';
export * from './scenarios';
