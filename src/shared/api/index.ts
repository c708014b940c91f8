export * from './bridge';
export * from './contract';
export * from './envelope';
