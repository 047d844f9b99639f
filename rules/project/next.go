package project

import "context"

// NextApp is one Next.js application.
type NextApp struct {
	Root string // directory holding the app's package.json ("" for the repo root)
}

func (m *Model) buildNext(ctx context.Context, fs Files) error { return nil }
