// Public surface of the engine.
export * from './types.ts';
export * from './commands.ts';
export * from './events.ts';
export * from './instrument.ts';
export * from './money.ts';
export * from './query.ts';
export { Engine, type EngineOptions, type AdminResult } from './engine.ts';
export type { AccountOptions } from './account.ts';
