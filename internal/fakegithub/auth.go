package fakegithub

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// InstallationToken is a token the fake minted (for assertions).
type InstallationToken struct {
	Token          string
	InstallationID int64
	CreatedAt      time.Time
	ExpiresAt      time.Time
	// Repositories and RepositoryIDs are the narrowing requested (empty = all repos).
	Repositories  []string
	RepositoryIDs []int64
	// Permissions are the token's effective permissions.
	Permissions map[string]string
	// RequestedPermissions are the permissions the request asked for (nil = none).
	RequestedPermissions map[string]string
}

type tokenRec struct {
	InstallationToken
	repoIDs map[int64]bool // nil = every repo of the installation
}

// JWTLifetimeMax is the longest JWT lifetime GitHub accepts (exp - now).
const JWTLifetimeMax = 10 * time.Minute

// TokenLifetime is how long an installation token lives.
const TokenLifetime = time.Hour

func randomToken(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Errorf("fakegithub: crypto/rand: %w", err)) // the system RNG failing is unrecoverable
		}
		b[i] = alphabet[n.Int64()]
	}
	return prefix + string(b)
}

// MintInstallationToken creates a valid token directly (bypassing the JWT exchange),
// for tests that only need an authenticated client.
func (s *Server) MintInstallationToken(installationID int64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst := s.state.installations[installationID]
	if inst == nil {
		return "", fmt.Errorf("fakegithub: no installation %d", installationID)
	}
	t := s.newTokenLocked(inst, nil, nil, nil, copyMap(inst.permissions), nil)
	return t.Token, nil
}

func (s *Server) newTokenLocked(inst *installation, names []string, ids []int64, repoIDs map[int64]bool, perms, requested map[string]string) *tokenRec {
	now := s.now().UTC().Truncate(time.Second)
	t := &tokenRec{InstallationToken: InstallationToken{
		Token: randomToken("ghs_"), InstallationID: inst.id, CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
		Repositories: names, RepositoryIDs: ids, Permissions: perms, RequestedPermissions: requested,
	}, repoIDs: repoIDs}
	s.state.tokens[t.Token] = t
	s.state.tokenList = append(s.state.tokenList, t)
	return t
}

// InstallationTokens returns every token minted so far.
func (s *Server) InstallationTokens() []InstallationToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]InstallationToken, 0, len(s.state.tokenList))
	for _, t := range s.state.tokenList {
		c := t.InstallationToken
		c.Permissions = copyMap(t.Permissions)
		c.Repositories = append([]string(nil), t.Repositories...)
		c.RepositoryIDs = append([]int64(nil), t.RepositoryIDs...)
		out = append(out, c)
	}
	return out
}

// RevokeToken makes a token invalid (as if it expired).
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.state.tokens, token)
}

// SignJWT makes an App JWT the fake accepts (iat = now-30s, exp = now+ttl), for tests.
func (s *Server) SignJWT(ttl time.Duration) (string, error) {
	now := s.now()
	claims := jwt.MapClaims{"iat": now.Add(-30 * time.Second).Unix(), "exp": now.Add(ttl).Unix(), "iss": strconv.FormatInt(s.opts.AppID, 10)}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("fakegithub: sign jwt: %w", err)
	}
	return tok, nil
}

func bearer(r *http.Request) (scheme, cred string) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, cred, _ = strings.Cut(h, " ")
	return strings.ToLower(scheme), strings.TrimSpace(cred)
}

// verifyJWT returns "" when the App JWT is acceptable, else GitHub's error message.
func (s *Server) verifyJWT(raw string) string {
	const undecodable = "A JSON web token could not be decoded"
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	claims := jwt.MapClaims{}
	if _, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &s.key.PublicKey, nil }); err != nil {
		return undecodable
	}
	switch iss := claims["iss"].(type) {
	case string:
		if iss != strconv.FormatInt(s.opts.AppID, 10) {
			return undecodable
		}
	case float64:
		if int64(iss) != s.opts.AppID {
			return undecodable
		}
	default:
		return "'Issuer' claim ('iss') must be an Integer"
	}
	now := s.now().Unix()
	exp, ok := claims["exp"].(float64)
	if !ok || int64(exp) <= now {
		return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	}
	if int64(exp) > now+int64(JWTLifetimeMax/time.Second) {
		return "'Expiration time' claim ('exp') is too far in the future"
	}
	iat, ok := claims["iat"].(float64)
	if !ok || int64(iat) > now+60 {
		return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	}
	return ""
}

// authorize authenticates the request and resolves the repository. On failure it
// writes the error response and returns false. Called with s.mu held.
func (s *Server) authorize(c *reqCtx) bool {
	rt := c.rt
	scheme, cred := bearer(c.r)
	switch rt.auth {
	case authJWT:
		c.auth = "jwt"
		s.setRateHeaders(c, "app")
		if scheme != "bearer" || cred == "" {
			c.errorJSON(http.StatusUnauthorized, "A JSON web token could not be decoded", "https://docs.github.com/rest")
			return false
		}
		if msg := s.verifyJWT(cred); msg != "" {
			c.errorJSON(http.StatusUnauthorized, msg, "https://docs.github.com/rest")
			return false
		}
		if !s.takeRate(c, "app") {
			return false
		}
		if rt.repo {
			c.repo = s.state.repos[repoKey(c.params["owner"], c.params["repo"])]
			if c.repo == nil {
				c.notFound()
				return false
			}
		}
		return true
	case authToken:
		c.auth = "token"
		if (scheme != "token" && scheme != "bearer") || cred == "" {
			s.setRateHeaders(c, "")
			c.errorJSON(http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest")
			return false
		}
		t := s.state.tokens[cred]
		if t == nil || !s.now().Before(t.ExpiresAt) || s.state.installations[t.InstallationID] == nil {
			s.setRateHeaders(c, "")
			c.errorJSON(http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
			return false
		}
		c.token, c.instID = t, t.InstallationID
		key := "inst:" + strconv.FormatInt(t.InstallationID, 10)
		if rt.op == "graphql" {
			key = "graphql:" + strconv.FormatInt(t.InstallationID, 10)
		}
		s.setRateHeaders(c, key)
		if !s.takeRate(c, key) {
			return false
		}
		if rt.repo {
			r := s.state.repos[repoKey(c.params["owner"], c.params["repo"])]
			if r == nil || r.instID != t.InstallationID {
				c.notFound()
				return false
			}
			if t.repoIDs != nil && !t.repoIDs[r.id] {
				c.errorJSON(http.StatusForbidden, "Resource not accessible by integration", docURL(rt.op))
				return false
			}
			c.repo = r
		}
		if rt.perm != "" && !hasPermission(t.Permissions, rt.perm, rt.write) {
			c.errorJSON(http.StatusForbidden, "Resource not accessible by integration", docURL(rt.op))
			return false
		}
		return true
	}
	return true
}

// hasPermission: perm may be "a|b" (either suffices).
func hasPermission(perms map[string]string, perm string, write bool) bool {
	for _, p := range strings.Split(perm, "|") {
		switch perms[p] {
		case "write", "admin":
			return true
		case "read":
			if !write {
				return true
			}
		}
	}
	return false
}

func permRank(level string) int {
	switch level {
	case "read":
		return 1
	case "write":
		return 2
	case "admin":
		return 3
	}
	return 0
}

// --- App endpoints ---

func (s *Server) appJSON() map[string]any {
	owner := s.userJSON("clerkguard-org", 1, "Organization")
	perms := DefaultPermissions()
	return map[string]any{
		"id": s.opts.AppID, "slug": s.opts.AppSlug, "node_id": nodeID("A", s.opts.AppID), "client_id": "Iv1.fake" + strconv.FormatInt(s.opts.AppID, 16),
		"owner": owner, "name": s.opts.AppSlug, "description": "Reviews pull requests for Clerk auth misconfigurations",
		"external_url": "https://clerkguard.example", "html_url": s.htmlBase() + "/apps/" + s.opts.AppSlug,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
		"permissions":         perms,
		"events":              []string{"pull_request", "check_run", "check_suite", "installation", "installation_repositories", "issue_comment", "pull_request_review_comment"},
		"installations_count": len(s.state.installations),
	}
}

func (s *Server) hGetApp(c *reqCtx) { c.json(http.StatusOK, s.appJSON()) }

func (s *Server) installationJSON(inst *installation) map[string]any {
	return map[string]any{
		"id": inst.id, "account": s.userJSON(inst.owner, inst.ownerID, "Organization"),
		"repository_selection": "selected", "access_tokens_url": s.URL() + fmt.Sprintf("app/installations/%d/access_tokens", inst.id),
		"repositories_url": s.URL() + "installation/repositories", "html_url": s.htmlBase() + fmt.Sprintf("/settings/installations/%d", inst.id),
		"app_id": s.opts.AppID, "app_slug": s.opts.AppSlug, "target_id": inst.ownerID, "target_type": "Organization",
		"permissions": copyMap(inst.permissions), "events": []string{"pull_request", "check_run", "check_suite"},
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "single_file_name": nil,
		"has_multiple_single_files": false, "single_file_paths": []string{}, "suspended_by": nil, "suspended_at": nil,
	}
}

func (s *Server) hGetInstallation(c *reqCtx) {
	id, _ := c.intParam("installation_id")
	inst := s.state.installations[id]
	if inst == nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, s.installationJSON(inst))
}

func (s *Server) hGetRepoInstallation(c *reqCtx) {
	inst := s.state.installations[c.repo.instID]
	if inst == nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, s.installationJSON(inst))
}

func (s *Server) hCreateToken(c *reqCtx) {
	id, ok := c.intParam("installation_id")
	inst := s.state.installations[id]
	if !ok || inst == nil {
		c.notFound()
		return
	}
	var req struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if len(c.body) > 0 {
		if err := json.Unmarshal(c.body, &req); err != nil {
			c.errorJSON(http.StatusBadRequest, "Problems parsing JSON", docURL(c.rt.op))
			return
		}
	}
	perms := copyMap(inst.permissions)
	if req.Permissions != nil {
		perms = map[string]string{"metadata": "read"}
		for k, v := range req.Permissions {
			if permRank(v) == 0 || permRank(inst.permissions[k]) < permRank(v) {
				c.json(http.StatusUnprocessableEntity, map[string]any{"message": "The permissions requested are not granted to this installation.", "documentation_url": docURL(c.rt.op), "status": "422"})
				return
			}
			perms[k] = v
		}
	}
	var repoIDs map[int64]bool
	var repos []*repo
	if len(req.Repositories) > 0 || len(req.RepositoryIDs) > 0 {
		repoIDs = map[int64]bool{}
		bad := false
		for _, n := range req.Repositories {
			r := s.state.repos[repoKey(inst.owner, n)]
			if r == nil || r.instID != inst.id {
				bad = true
				break
			}
			if !repoIDs[r.id] {
				repos = append(repos, r)
			}
			repoIDs[r.id] = true
		}
		for _, rid := range req.RepositoryIDs {
			var found *repo
			for _, r := range s.state.repos {
				if r.id == rid && r.instID == inst.id {
					found = r
				}
			}
			if found == nil {
				bad = true
				break
			}
			if !repoIDs[found.id] {
				repos = append(repos, found)
			}
			repoIDs[found.id] = true
		}
		if bad {
			c.json(http.StatusUnprocessableEntity, map[string]any{"message": "There is at least one repository that does not exist or is not accessible to the parent installation.", "documentation_url": docURL(c.rt.op), "status": "422"})
			return
		}
	}
	t := s.newTokenLocked(inst, append([]string(nil), req.Repositories...), append([]int64(nil), req.RepositoryIDs...), repoIDs, perms, copyMap(req.Permissions))
	resp := map[string]any{
		"token": t.Token, "expires_at": t.ExpiresAt.Format(time.RFC3339), "permissions": perms,
		"repository_selection": "all",
	}
	if repoIDs != nil {
		resp["repository_selection"] = "selected"
		sort.Slice(repos, func(i, j int) bool { return repos[i].id < repos[j].id })
		list := make([]any, 0, len(repos))
		for _, r := range repos {
			list = append(list, s.repoJSON(r))
		}
		resp["repositories"] = list
	}
	c.json(http.StatusCreated, resp)
}

func (s *Server) hRateLimit(c *reqCtx) {
	w := s.state.rate["inst:"+strconv.FormatInt(c.instID, 10)]
	core := map[string]any{"limit": s.opts.RateLimit, "remaining": s.opts.RateLimit, "reset": s.now().Add(time.Hour).Unix(), "used": 0}
	if w != nil {
		core = map[string]any{"limit": w.limit, "remaining": max(0, w.limit-w.used), "reset": w.reset.Unix(), "used": w.used}
	}
	c.json(http.StatusOK, map[string]any{"resources": map[string]any{"core": core}, "rate": core})
}
