export * from './bridge';
export * from './contract';
export * from './envelope';
export * from './views';
