export * from './locks-view';
export * from './scenarios';
export * from './two-phase-commit';
