// PLACEHOLDER until the snapshot job is built (issue 4).
export const handler = async (): Promise<{ built: number }> => ({ built: 0 });
