import { CityIdSchema } from '@twinning/domain';
import type { HttpApp } from '@twinning/http-kit';
import { z } from 'zod';
import { requireRole } from '../auth/index.js';
import type { Municipality, MunicipalityDirectory } from './municipality-directory.js';

const MunicipalitySchema = z.object({
  cityId: CityIdSchema,
  hasClerks: z.boolean(),
  updatedAt: z.iso.datetime(),
});

const represent = (municipality: Municipality) => ({
  cityId: municipality.cityId,
  hasClerks: municipality.hasClerks,
  updatedAt: municipality.updatedAt.toISOString(),
});

/** Admins say which cities have clerks of their own (it decides who may record a city's acts). */
export const registerMunicipalityRoutes = (
  app: HttpApp,
  dependencies: { readonly municipalities: MunicipalityDirectory; readonly now: () => Date },
): void => {
  app.get(
    '/admin/municipalities',
    {
      schema: {
        summary: 'Cities known to the system and whether they have clerks of their own',
        tags: ['admin'],
        security: [{ bearerAuth: [] }],
        response: { 200: z.object({ municipalities: z.array(MunicipalitySchema) }) },
      },
      preHandler: requireRole('admin'),
    },
    async () => ({ municipalities: (await dependencies.municipalities.list()).map(represent) }),
  );

  app.put(
    '/admin/municipalities/:cityId',
    {
      schema: {
        summary: 'Record whether a city has clerks of its own',
        tags: ['admin'],
        security: [{ bearerAuth: [] }],
        params: z.object({ cityId: CityIdSchema }),
        body: z.object({ hasClerks: z.boolean() }),
        response: { 200: MunicipalitySchema },
      },
      preHandler: requireRole('admin'),
    },
    async (request) =>
      represent(
        await dependencies.municipalities.set(
          request.params.cityId,
          request.body.hasClerks,
          dependencies.now(),
        ),
      ),
  );
};
