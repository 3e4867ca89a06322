// The gateway: importing this module registers every server part.
export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { Exchange, type ExchangeConfig } from './exchange.ts';
