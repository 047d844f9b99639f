package knowledge

// CookieSigner is a factory of signed cookies or cookie sessions: the
// secrets it is given sign the cookie, so whoever knows one can forge it.
type CookieSigner struct {
	Packages []string // the modules it is imported from
	Name     string
	// Path is the dotted path of the secrets array in the argument at
	// Arg ("cookie.secrets", "secrets").
	Arg    int
	Path   string
	Source string
}

var remixRuntimes = []string{"react-router", "@remix-run/node", "@remix-run/cloudflare", "@remix-run/deno",
	"@remix-run/server-runtime", "@react-router/node", "@react-router/cloudflare"}

var cookieSigners = []CookieSigner{
	{Packages: remixRuntimes, Name: "createCookie", Arg: 1, Path: "secrets",
		Source: "https://reactrouter.com/explanation/sessions-and-cookies#signing-cookies; https://remix.run/docs/en/main/utils/cookies#signing-cookies"},
	{Packages: remixRuntimes, Name: "createCookieSessionStorage", Arg: 0, Path: "cookie.secrets",
		Source: "https://reactrouter.com/explanation/sessions-and-cookies#createcookiesessionstorage; https://remix.run/docs/en/main/utils/sessions#createcookiesessionstorage"},
	{Packages: remixRuntimes, Name: "createSessionStorage", Arg: 0, Path: "cookie.secrets",
		Source: "https://reactrouter.com/explanation/sessions-and-cookies#creating-a-session-storage; https://remix.run/docs/en/main/utils/sessions#createsessionstorage"},
	{Packages: remixRuntimes, Name: "createMemorySessionStorage", Arg: 0, Path: "cookie.secrets",
		Source: "https://remix.run/docs/en/main/utils/sessions#creatememorysessionstorage"},
	{Packages: []string{"@remix-run/node", "@react-router/node"}, Name: "createFileSessionStorage", Arg: 0, Path: "cookie.secrets",
		Source: "https://remix.run/docs/en/main/utils/sessions#createfilesessionstorage-node"},
}

// CookieSignerOf returns the signer an export name of module pkg is.
func CookieSignerOf(pkg, name string) (CookieSigner, bool) {
	for _, c := range cookieSigners {
		if c.Name != name {
			continue
		}
		for _, p := range c.Packages {
			if p == pkg {
				return c, true
			}
		}
	}
	return CookieSigner{}, false
}
