package fakegithub_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v60/github"

	"github.com/clerkguard/clerkguard/internal/fakegithub"
)

// Example shows the usual end-to-end setup: an installation, a repo, a PR, and a
// go-github client authenticated as the App through ghinstallation.
func Example() {
	f, err := fakegithub.New(fakegithub.Options{})
	if err != nil {
		panic(err)
	}
	defer f.Close()
	f.AddInstallation(1, "acme")
	f.AddRepo("acme", "web", 1, "main")
	_ = f.AddPR("acme", "web", fakegithub.PR{
		Number:    1,
		BaseFiles: map[string][]byte{"a.ts": []byte("one\n")},
		HeadFiles: map[string][]byte{"a.ts": []byte("one\ntwo\n")},
	})

	tr, _ := ghinstallation.New(http.DefaultTransport, f.AppID(), 1, f.PrivateKeyPEM())
	tr.BaseURL = strings.TrimSuffix(f.URL(), "/")
	c := github.NewClient(&http.Client{Transport: tr})
	c.BaseURL, _ = url.Parse(f.URL())

	d, _, _ := c.PullRequests.GetRaw(context.Background(), "acme", "web", 1, github.RawOptions{Type: github.Diff})
	fmt.Print(d)
	fmt.Println(len(f.Violations()), len(f.InstallationTokens()))
	// Output:
	// diff --git a/a.ts b/a.ts
	// index 5626abf..814f4a4 100644
	// --- a/a.ts
	// +++ b/a.ts
	// @@ -1 +1,2 @@
	//  one
	// +two
	// 0 1
}

func TestConcurrentClients(t *testing.T) {
	e := setup(t, fakegithub.Options{})
	head, _ := e.fake.HeadSHA(owner, repoN, 7)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := instClient(t, e.fake, instID)
			for j := 0; j < 5; j++ {
				if _, _, err := c.PullRequests.ListFiles(e.ctx, owner, repoN, 7, nil); err != nil {
					errs <- err
					return
				}
				if _, _, err := c.Checks.CreateCheckRun(e.ctx, owner, repoN, github.CreateCheckRunOptions{Name: fmt.Sprint("n", i), HeadSHA: head}); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.fake.CheckRuns(owner, repoN)); n != 80 {
		t.Fatalf("check runs %d", n)
	}
	noViolations(t, e.fake)
}
