// The gateway: importing this module registers every server part.
import './md.ts';
import './rest.ts';
import './dashboard.ts';
import './scorecard/live.ts';
import './rule-log.ts';
import './session-log.ts';
export { startServer, type RunningServer, type ServerOptions } from './server.ts';
export { Exchange, type ExchangeConfig } from './exchange.ts';
