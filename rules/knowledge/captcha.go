package knowledge

import "strings"

// SignUpChallenge says who shows Clerk's bot sign-up challenge in a custom
// sign-up flow built with one SDK, by the SDK's major version.
type SignUpChallenge int

// What a custom flow must do for the challenge.
const (
	// ChallengeUnknown: the package is not in the table.
	ChallengeUnknown SignUpChallenge = iota
	// ChallengeNone: the SDK's major predates bot sign-up protection (its
	// ClerkJS major never reads a CAPTCHA mount point): the advice to
	// render one does not apply.
	ChallengeNone
	// ChallengeMountPoint: legacy bot sign-up protection renders its
	// widget into the application's `<div id="clerk-captcha" />`.
	ChallengeMountPoint
	// ChallengeDialog: ClerkJS runs Challenge suspicious sign-ups itself,
	// in a dialog over the page; the flow renders nothing for it.
	ChallengeDialog
)

// captchaEra is one SDK's eras of the sign-up challenge: majors below
// MountFrom predate bot sign-up protection, majors from DialogFrom (0:
// none yet) have ClerkJS show the challenge for flows built with the
// SDK's useSignUp() (not its /legacy entry point).
type captchaEra struct {
	Package    string
	MountFrom  uint64
	DialogFrom uint64
	Source     string
}

const (
	challengeDocs = "https://clerk.com/docs/guides/development/custom-flows/authentication/bot-sign-up-protection (Requirements: useSignUp() from @clerk/nextjs 7, @clerk/react 6, @clerk/react-router 3, @clerk/tanstack-react-start 1 or later; the legacy API and other SDKs are not supported yet)"
	legacyDocs    = "https://clerk.com/docs/guides/secure/legacy-bot-protection (legacy bot sign-up protection renders its CAPTCHA widget into the clerk-captcha element)"
	// Bot sign-up protection came with ClerkJS 4 (Core 1); the SDKs of
	// majors 3 and earlier load ClerkJS of their own, older major, and
	// the custom-flow guide for the mount point starts with Core 1.
	clerkJSLog = "clerk/javascript packages/clerk-js/CHANGELOG.md (4.x: bot sign-up protection); https://clerk.com/docs/custom-flows/bot-sign-up-protection (Core 1 guide)"
)

// captchaEras lists the web SDKs whose custom flows call signUp.create().
var captchaEras = []captchaEra{
	{Package: "@clerk/nextjs", MountFrom: 4, DialogFrom: 7, Source: challengeDocs + "; " + clerkJSLog},
	{Package: "@clerk/react", MountFrom: 0, DialogFrom: 6, Source: challengeDocs},
	{Package: "@clerk/clerk-react", MountFrom: 4, Source: legacyDocs + "; " + clerkJSLog},
	{Package: "@clerk/react-router", MountFrom: 0, DialogFrom: 3, Source: challengeDocs},
	{Package: "@clerk/tanstack-react-start", MountFrom: 0, DialogFrom: 1, Source: challengeDocs},
	{Package: "@clerk/tanstack-start", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/remix", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/astro", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/vue", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/nuxt", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/chrome-extension", MountFrom: 0, Source: legacyDocs},
	{Package: "@clerk/clerk-js", MountFrom: 4, Source: legacyDocs + "; " + clerkJSLog},
}

// SignUpChallengeOf answers who shows the sign-up challenge for a custom
// flow whose signUp comes from the import specifier spec
// ("@clerk/nextjs", "@clerk/nextjs/legacy"), at the package's major
// version (ok false: the version is unknown, read as the latest, whose
// major is latest). ChallengeUnknown when spec is no package of the
// table.
func SignUpChallengeOf(spec string, major uint64, ok bool) SignUpChallenge {
	for _, e := range captchaEras {
		if spec != e.Package && !strings.HasPrefix(spec, e.Package+"/") {
			continue
		}
		legacyAPI := strings.HasPrefix(spec, e.Package+"/legacy")
		switch {
		case !ok && e.DialogFrom > 0 && !legacyAPI:
			return ChallengeDialog
		case !ok:
			return ChallengeMountPoint
		case major < e.MountFrom:
			return ChallengeNone
		case e.DialogFrom > 0 && major >= e.DialogFrom && !legacyAPI:
			return ChallengeDialog
		}
		return ChallengeMountPoint
	}
	return ChallengeUnknown
}

// ChallengeDialogSDK returns the first major of pkg whose useSignUp()
// flows get the challenge from ClerkJS (0, false: none yet).
func ChallengeDialogSDK(pkg string) (uint64, bool) {
	for _, e := range captchaEras {
		if e.Package == pkg && e.DialogFrom > 0 {
			return e.DialogFrom, true
		}
	}
	return 0, false
}

// SignUpChallengeSDKs lists the packages of the table, in table order.
func SignUpChallengeSDKs() []string {
	out := make([]string, 0, len(captchaEras))
	for _, e := range captchaEras {
		out = append(out, e.Package)
	}
	return out
}
