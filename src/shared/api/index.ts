export * from './bridge';
export * from './contract';
export * from './envelope';
export * from './limits';
export * from './views';
