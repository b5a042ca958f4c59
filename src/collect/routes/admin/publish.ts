import type { FastifyInstance } from 'fastify';

export async function publishRoutes(_fastify: FastifyInstance) {}
