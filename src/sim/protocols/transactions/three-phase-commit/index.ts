export * from './locks-view';
export * from './scenarios';
export * from './three-phase-commit';
