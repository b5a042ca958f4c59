import type { FastifyInstance } from 'fastify';

export async function instrumentRoutes(_fastify: FastifyInstance) {}
