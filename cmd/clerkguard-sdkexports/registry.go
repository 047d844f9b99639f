package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// registryClient reads package metadata and tarballs from an npm registry,
// caching tarballs on disk.
type registryClient struct {
	base  string
	cache string
	http  *http.Client
}

// packument is the part of the abbreviated npm metadata the command reads.
type packument struct {
	Versions map[string]struct {
		Dist struct {
			Tarball string `json:"tarball"`
		} `json:"dist"`
	} `json:"versions"`
}

func (r *registryClient) get(ctx context.Context, u string, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", u, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return b, nil
}

// metadata returns the versions of pkg and their tarball URLs.
func (r *registryClient) metadata(ctx context.Context, pkg string) (map[string]string, error) {
	u := strings.TrimSuffix(r.base, "/") + "/" + strings.Replace(url.PathEscape(pkg), "%40", "@", 1)
	b, err := r.get(ctx, u, "application/vnd.npm.install-v1+json")
	if err != nil {
		return nil, err
	}
	var p packument
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", pkg, err)
	}
	out := map[string]string{}
	for v, m := range p.Versions {
		out[v] = m.Dist.Tarball
	}
	return out, nil
}

// tarball returns the files of a package version that the command reads
// (package.json files and type declarations), keyed by their path inside
// the package.
func (r *registryClient) tarball(ctx context.Context, pkg, version, u string) (map[string][]byte, error) {
	name := strings.NewReplacer("/", "+", "@", "").Replace(pkg) + "-" + version + ".tgz"
	file := filepath.Join(r.cache, name)
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		if b, err = r.get(ctx, u, ""); err != nil {
			return nil, err
		}
		tmp := file + ".part"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return nil, fmt.Errorf("cache %s: %w", name, err)
		}
		if err := os.Rename(tmp, file); err != nil {
			return nil, fmt.Errorf("cache %s: %w", name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cache %s: %w", name, err)
	}
	return untar(b)
}

// untar reads a package tarball, keeping package.json files and type
// declarations, with the leading "package/" folder removed.
func untar(b []byte) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("untar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		p := h.Name
		if i := strings.IndexByte(p, '/'); i >= 0 {
			p = p[i+1:]
		}
		if !isDecl(p) && filepath.Base(p) != "package.json" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 16<<20))
		if err != nil {
			return nil, fmt.Errorf("untar %s: %w", p, err)
		}
		out[p] = data
	}
}

func isDecl(p string) bool {
	return strings.HasSuffix(p, ".d.ts") || strings.HasSuffix(p, ".d.mts") || strings.HasSuffix(p, ".d.cts")
}
