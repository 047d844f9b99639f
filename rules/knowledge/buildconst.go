package knowledge

// BuildConstant is an expression a bundler replaces with a constant when
// it builds the application for production: code the deployed server runs
// sees Value, whatever the request.
type BuildConstant struct {
	// Expr is the expression's source text.
	Expr string
	// Value is the literal the production build substitutes ("true",
	// "false").
	Value  string
	Source string
}

var buildConstants = []BuildConstant{
	{Expr: "import.meta.env.PROD", Value: "true",
		Source: "https://vite.dev/guide/env-and-mode (built-in constants: `import.meta.env.PROD` is whether the app runs in production; statically replaced during production builds); https://docs.astro.build/en/guides/environment-variables/#default-environment-variables (`import.meta.env.PROD`: true if your site is running in production)"},
	{Expr: "import.meta.env.DEV", Value: "false",
		Source: "https://vite.dev/guide/env-and-mode (`import.meta.env.DEV` is always the opposite of `import.meta.env.PROD`); https://docs.astro.build/en/guides/environment-variables/#default-environment-variables (`import.meta.env.DEV`: true if your site is running in development)"},
}

// ProductionConstant returns the literal a production build puts in place
// of the expression whose source text is expr (`import.meta.env.PROD` is
// "true"), and whether it is one.
func ProductionConstant(expr string) (string, bool) {
	for _, c := range buildConstants {
		if c.Expr == expr {
			return c.Value, true
		}
	}
	return "", false
}
