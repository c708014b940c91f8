export * from './batch';
export * from './hadoop';
export * from './scenarios';
export * from './spark';
export * from './storm';
export * from './workload';
