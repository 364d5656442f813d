// Placeholder: the real handler lands with the jobs issue.
const handler = async (event: unknown) => ({ ok: true, event });

export { handler };
