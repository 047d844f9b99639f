package knowledge

import (
	"path"
	"strings"
)

// DeployConfig is a hosting platform's deployment configuration file: a
// package directory that holds one is built and deployed from that
// directory, so what its client build hard-codes is what production runs.
type DeployConfig struct {
	File   string // base name, lower case
	Host   string
	Source string
}

// deployConfigs: the configuration files each platform's CLI deploys from
// (sources are each platform's configuration reference). Only files
// named for deployment are listed: a Dockerfile or a compose file also
// serves local development.
var deployConfigs = []DeployConfig{
	{File: "wrangler.toml", Host: "Cloudflare Workers", Source: "https://developers.cloudflare.com/workers/wrangler/configuration/"},
	{File: "wrangler.json", Host: "Cloudflare Workers", Source: "https://developers.cloudflare.com/workers/wrangler/configuration/"},
	{File: "wrangler.jsonc", Host: "Cloudflare Workers", Source: "https://developers.cloudflare.com/workers/wrangler/configuration/"},
	{File: "vercel.json", Host: "Vercel", Source: "https://vercel.com/docs/project-configuration"},
	{File: "netlify.toml", Host: "Netlify", Source: "https://docs.netlify.com/configure-builds/file-based-configuration/"},
	{File: "fly.toml", Host: "Fly.io", Source: "https://fly.io/docs/reference/configuration/"},
	{File: "render.yaml", Host: "Render", Source: "https://render.com/docs/blueprint-spec"},
	{File: "railway.json", Host: "Railway", Source: "https://docs.railway.com/reference/config-as-code"},
}

// DeployConfigOf returns the platform whose deployment configuration the
// file at p is.
func DeployConfigOf(p string) (DeployConfig, bool) {
	base := strings.ToLower(path.Base(p))
	for _, d := range deployConfigs {
		if d.File == base {
			return d, true
		}
	}
	return DeployConfig{}, false
}
