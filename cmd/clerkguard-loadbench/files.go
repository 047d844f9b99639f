package main

// The PRs' files: a Clerk Next.js app whose heads add an unprotected route
// and a NEXT_PUBLIC_ secret key, so every review posts findings.

var baseFiles = map[string][]byte{
	"package.json": []byte(`{"name":"shop","dependencies":{"next":"15.3.2","@clerk/nextjs":"^6.21.0"}}`),
	"middleware.ts": []byte(`import { clerkMiddleware } from '@clerk/nextjs/server'

export default clerkMiddleware()

export const config = {
  matcher: ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)', '/(api|trpc)(.*)'],
}
`),
	"app/api/me/route.ts": []byte(`import { auth } from '@clerk/nextjs/server'
import { db } from '@/lib/db'

export async function GET() {
  const { userId } = await auth()
  if (!userId) return new Response('Unauthorized', { status: 401 })
  return Response.json(await db.profile.findUnique({ where: { userId } }))
}
`),
	"lib/db.ts": []byte("export const db: any = {}\n"),
}

const unprotected = `import { db } from '@/lib/db'

export async function GET() {
  return Response.json(await db.invoice.findMany())
}
`

const leakyClient = `import { createClerkClient } from '@clerk/backend'

export const clerk = createClerkClient({ secretKey: process.env.NEXT_PUBLIC_CLERK_SECRET_KEY })
`
