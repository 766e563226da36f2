import { z } from 'zod';
import { ApiQuery, ApiSecurity, DocumentBuilder, SwaggerModule, type ApiResponseSchemaHost } from '@nestjs/swagger';
import { applyDecorators, type INestApplication } from '@nestjs/common';
import type { Role } from '@omt/contracts';
import { SESSION_COOKIE } from './session-cookie';

type SchemaObject = ApiResponseSchemaHost['schema'];
type SecuritySchemeObject = Parameters<DocumentBuilder['addSecurity']>[1];

/** Where the docs page and its JSON are served (below the global `api` prefix). */
const OPENAPI_PATH = 'api/docs';
const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

/**
 * The contracts' zod schemas are the single source of the OpenAPI document's
 * schemas: their `.meta({ description, examples })` become the descriptions
 * and examples the docs page shows. OpenAPI 3.0 has one `example`, not JSON
 * Schema's `examples`, so the first example is moved there.
 */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    unrepresentable: 'any',
    io: 'input',
    override: ({ jsonSchema }) => {
      const json = jsonSchema as { examples?: unknown[]; example?: unknown };
      if (Array.isArray(json.examples)) {
        if (json.examples.length > 0) json.example = json.examples[0];
        delete json.examples;
      }
    },
  }) as SchemaObject;
}

/**
 * Documents each field of a zod object (a query's schema) as a query
 * parameter. An optional one loses its example: the docs page would fill it
 * in, and "Try it out" would filter by it unasked.
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  type Property = SchemaObject & { description?: string; example?: unknown };
  const json = openApiSchema(schema) as { properties?: Record<string, Property>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, { example, ...property }]) => {
      const required = json.required?.includes(name) ?? false;
      const documented = required && example !== undefined ? { ...property, example } : property;
      return ApiQuery({ name, required, description: property.description, schema: documented });
    }),
  );
}

/** The three credentials the API accepts, named once: the docs page's "Authorize" offers each. */
export const SECURITY_SCHEMES = {
  sales_api_key: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'omt_sk_…',
    description:
      'A sales API key (`omt_sk_…`), created by an admin with `npm run ops -- keys create --role sales --name <name>`; sent as `Authorization: Bearer <key>`.',
  },
  omt_session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'The httpOnly session cookie of ops and admin users: log in with `POST /api/auth/login` (here or in the dashboard) and this browser sends it by itself.',
  },
  agent_token: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'omt_at_…',
    description:
      'An agent token (`omt_at_…`) from `POST /api/agent/enroll`, scoped to one ticket; sent as `Authorization: Bearer <token>`.',
  },
} as const satisfies Record<string, SecuritySchemeObject>;
export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;

/** Which credential carries each role: API keys are `sales` only, people log in, agents hold a token. */
const SCHEME_OF_ROLE: Record<Role, SecuritySchemeName> = {
  sales: 'sales_api_key',
  ops: 'omt_session',
  admin: 'omt_session',
  agent: 'agent_token',
};

/** Documents that a handler accepts any of the credentials that can carry one of `roles` (OpenAPI ORs the entries). */
export function ApiCredentials(roles: readonly Role[]): MethodDecorator & ClassDecorator {
  const schemes = [...new Set(roles.map((role) => SCHEME_OF_ROLE[role]))];
  return applyDecorators(...schemes.map((scheme) => ApiSecurity(scheme)));
}

/** Builds the document from the controllers' decorators and serves the docs page and its JSON. */
export function setUpOpenApi(app: INestApplication, version: string): void {
  const builder = new DocumentBuilder()
    .setTitle('omt operations API')
    .setDescription(
      'Tickets, enrollment, uploads and the state of every migration. Every error answers `{ code, message, details[] }`; ' +
        'a missing field is named in `details` as `{ path: "<field>", message: "required" }`.',
    )
    .setVersion(version);
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) builder.addSecurity(name, scheme);
  const document = SwaggerModule.createDocument(app, builder.build());
  // No persistAuthorization: a key entered under "Authorize" stays in the page, never in the browser's storage.
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH });
}
