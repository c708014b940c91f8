export * from './consistent-hashing';
export * from './scenarios';
