package webhook

// Minimal payload shapes: only the fields the App uses. Decoding into our
// own structs (rather than go-github's) tolerates GitHub's quirks, such as
// the non-RFC-3339 timestamps in some check_run payloads.

type repository struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	Owner    struct {
		Login string `json:"login"`
	} `json:"owner"`
}

type installation struct {
	ID int64 `json:"id"`
}

type prRef struct {
	SHA  string      `json:"sha"`
	Ref  string      `json:"ref"`
	Repo *repository `json:"repo"`
}

type pullRequestEvent struct {
	Action      string `json:"action"`
	Number      int    `json:"number"`
	PullRequest struct {
		Number int    `json:"number"`
		State  string `json:"state"`
		Head   prRef  `json:"head"`
		Base   prRef  `json:"base"`
	} `json:"pull_request"`
	Changes *struct {
		Base *struct {
			Ref *struct {
				From string `json:"from"`
			} `json:"ref"`
		} `json:"base"`
	} `json:"changes"`
	Repository   *repository   `json:"repository"`
	Installation *installation `json:"installation"`
}

type checkPR struct {
	Number int   `json:"number"`
	Head   prRef `json:"head"`
}

type checkRunEvent struct {
	Action   string `json:"action"`
	CheckRun struct {
		ID           int64     `json:"id"`
		Name         string    `json:"name"`
		HeadSHA      string    `json:"head_sha"`
		PullRequests []checkPR `json:"pull_requests"`
		App          struct {
			ID int64 `json:"id"`
		} `json:"app"`
	} `json:"check_run"`
	RequestedAction *struct {
		Identifier string `json:"identifier"`
	} `json:"requested_action"`
	Repository   *repository   `json:"repository"`
	Installation *installation `json:"installation"`
}

type checkSuiteEvent struct {
	Action     string `json:"action"`
	CheckSuite struct {
		ID           int64     `json:"id"`
		HeadSHA      string    `json:"head_sha"`
		PullRequests []checkPR `json:"pull_requests"`
	} `json:"check_suite"`
	Repository   *repository   `json:"repository"`
	Installation *installation `json:"installation"`
}

type mergeGroupEvent struct {
	Action     string `json:"action"`
	MergeGroup struct {
		HeadSHA string `json:"head_sha"`
		BaseSHA string `json:"base_sha"`
		HeadRef string `json:"head_ref"`
	} `json:"merge_group"`
	Repository   *repository   `json:"repository"`
	Installation *installation `json:"installation"`
}

type installationEvent struct {
	Action              string        `json:"action"`
	Installation        *installation `json:"installation"`
	Repositories        []repository  `json:"repositories"`
	RepositoriesAdded   []repository  `json:"repositories_added"`
	RepositoriesRemoved []repository  `json:"repositories_removed"`
}
