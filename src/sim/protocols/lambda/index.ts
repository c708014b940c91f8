export * from './lambda';
export * from './scenarios';
