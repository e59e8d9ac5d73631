/** Node's own cost of importing a handler module: the zero of the cold-start section's floor rows. */
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: '{}',
});
