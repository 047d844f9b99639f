package model

import (
	"github.com/clerkguard/clerkguard/rules/knowledge"
	"github.com/clerkguard/clerkguard/rules/project"
)

// fastifyAdapter lists the routes of Fastify servers: fastify.METHOD and
// fastify.route({ method, url, handler }) registrations in every plugin
// context, with the prefixes of the register() calls that reach them
// (across files), and what runs before each handler: the onRequest,
// preParsing, preValidation and preHandler hooks of its encapsulation
// context and of the contexts above it, whatever their order in the
// plugin body (a context's hooks apply to every route in it,
// https://fastify.dev/docs/latest/Reference/Encapsulation/), the hooks of
// plugins wrapped in fastify-plugin (which share their parent's context),
// Clerk's clerkPlugin (attaches: rules/knowledge), and the route's own
// onRequest/preValidation/preHandler options. A hook rejects when a
// signed-out request never gets past it: it throws, returns a 4xx reply,
// or sends one (Fastify stops the chain once reply.sent is set,
// https://fastify.dev/docs/latest/Reference/Hooks/#respond-to-a-request-from-a-hook).
var fastifyAdapter = nodeAdapter{st: fastifyStyle}

// fastifyStyle: handlers receive (request, reply); hooks (request, reply,
// done) and continue when they return or call done().
var fastifyStyle = &nodeStyle{fw: knowledge.Fastify, project: project.FrameworkFastify, dep: "fastify", kind: FastifyRoute,
	handler:    []ParamRole{ParamRequest, ParamResponse},
	middleware: []ParamRole{ParamRequest, ParamResponse, ParamNext}, cont: "the handler", scoped: true}
