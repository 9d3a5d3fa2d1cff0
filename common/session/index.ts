// The citizen's visit: the XState machine, its injected side effects and the hub-frame mapping.
export * from './types';
export * from './machine';
export * from './call-actor';
export * from './session';
export * from './hub-events';
