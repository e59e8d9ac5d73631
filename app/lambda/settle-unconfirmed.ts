import { composeSettle } from '../composition/feedback-composition';
import { logLevel, readEnv } from '../config/env-readers';
import { loadSettleConfig } from '../config/telemetry-config';

const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const settle = composeSettle(loadSettleConfig(process.env), LOG_LEVEL);

/** Runs on a schedule: messages whose code expired unconfirmed are settled as never used. */
export const handler = async (): Promise<{ settled: number }> => ({ settled: await settle.run() });
