package model

import "strings"

// Noun names the kind in a finding's prose ("route handler", "server
// action", "handler" for a route an Express, Fastify or Hono app
// registers, "data function" for getServerSideProps).
func (k Kind) Noun() string {
	switch k {
	case ExpressRoute, RouterRoute, FastifyRoute, HonoRoute:
		return "handler"
	case GetServerSideProps:
		return "data function"
	case TRPCQuery, TRPCMutation, TRPCSubscription:
		return "procedure"
	}
	return strings.ReplaceAll(string(k), "-", " ")
}
