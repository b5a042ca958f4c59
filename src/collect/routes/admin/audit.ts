import type { FastifyInstance } from 'fastify';

export async function auditRoutes(_fastify: FastifyInstance) {}
