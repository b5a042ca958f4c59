import type { FastifyInstance } from 'fastify';

export async function waveRoutes(_fastify: FastifyInstance) {}
