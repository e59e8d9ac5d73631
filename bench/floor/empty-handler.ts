/** Node's own cost of importing a handler module: the zero of bench/sdk-cold-start-floor.ts. */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: '{}',
});
