export type { EventCodec } from './event-codec.js';
export {
  agentexCodec,
  AGENTEX_FIELDS,
  AGENTEX_WIRE_VERSION,
  UNKNOWN_INDEX,
  UNKNOWN_SEQ,
  DONE_RESERVED_KEYS,
  ERROR_RESERVED_KEYS,
  TASK_UPDATED_RESERVED_KEYS,
} from './agentex-codec.js';
export { contentFromWire, contentToWire } from './content-mapping.js';
export { deltaFromWire, deltaToWire } from './delta-mapping.js';
